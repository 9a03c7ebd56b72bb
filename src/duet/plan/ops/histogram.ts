import { isTensor } from '../../../tensor';
import { MAX_HISTOGRAM_BINS } from '../../constants';
import { badArgument } from '../errors';
import type { OpDef } from '../registry';
import type { Args } from '../types';
import { asFloat64, describeType, f64 } from '../values';

// Bins are equal-width over a range the DS states, never one derived from the data: the edges
// are then public, and the counts are all that depends on the data (which is what DP needs).
// As in NumPy, values outside the range (and NaN) are not counted, and the last bin includes `hi`.

export function histogramCounts(values: Float64Array, bins: number, lo: number, hi: number): Float64Array {
  const counts = new Float64Array(bins);
  const width = (hi - lo) / bins;
  for (const v of values) {
    if (!(v >= lo && v <= hi)) continue;
    const b = v === hi ? bins - 1 : Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[b]!++;
  }
  return counts;
}

export function histogramRange(op: string, args: Args): [number, number] {
  const range = args['range'] as readonly number[];
  if (range.length !== 2 || !(range[0]! < range[1]!)) throw badArgument(op, `range must be [lo, hi] with lo < hi, got [${range.join(', ')}].`);
  return [range[0]!, range[1]!];
}

export const histogram: OpDef = {
  name: 'histogram',
  category: 'stats',
  summary: 'counts of values in `bins` equal-width bins over `range` [lo, hi]',
  arity: [1, 1],
  args: { bins: { kind: 'int', required: true, min: 1, max: MAX_HISTOGRAM_BINS }, range: { kind: 'numbers', required: true } },
  infer: ([t], args) => {
    if (t!.kind !== 'tensor') throw badArgument('histogram', `expects a numeric tensor, got a ${describeType(t!)}.`);
    histogramRange('histogram', args);
    return { kind: 'tensor', dtype: 'float64', shape: [args['bins'] as number], exact: true };
  },
  evaluate: ([v], args) => {
    if (!isTensor(v)) throw badArgument('histogram', 'expects a tensor.');
    const [lo, hi] = histogramRange('histogram', args);
    return f64([args['bins'] as number], histogramCounts(asFloat64(v), args['bins'] as number, lo, hi));
  },
};
