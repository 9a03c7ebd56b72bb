import { isTensor, type Tensor } from '../../../tensor';
import { isTable, table, type Table } from '../../data/table';
import { badArgument } from '../errors';
import type { OpDef } from '../registry';
import type { Args, ValueType } from '../types';
import { asFloat64, describeType, f64 } from '../values';

// Reductions skip NaN (missing values), as pandas does, so a column with gaps still has a mean.
// std/var are population statistics unless ddof=1 is given. An empty reduction gives 0 for
// sum and count and NaN for the rest.

export const REDUCERS = ['sum', 'mean', 'std', 'var', 'min', 'max', 'count'] as const;
export type Reducer = (typeof REDUCERS)[number];

/** Reduces values[start + k*stride] for k < n. */
export function reduce(fn: Reducer, values: Float64Array, start = 0, n = values.length, stride = 1, ddof = 0): number {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0, i = start; k < n; k++, i += stride) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  switch (fn) {
    case 'sum':
      return sum;
    case 'count':
      return count;
    case 'mean':
      return count === 0 ? NaN : sum / count;
    case 'min':
      return count === 0 ? NaN : min;
    case 'max':
      return count === 0 ? NaN : max;
    case 'var':
    case 'std': {
      if (count - ddof <= 0) return NaN;
      const mean = sum / count;
      let ss = 0; // a second pass: the one-pass formula loses precision when the mean is large
      for (let k = 0, i = start; k < n; k++, i += stride) {
        const v = values[i]!;
        if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
      }
      const variance = ss / (count - ddof);
      return fn === 'var' ? variance : Math.sqrt(variance);
    }
  }
}

function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw badArgument(op, `axis ${axis} is out of range for a tensor of rank ${rank}.`);
  return a;
}

function reduceTensor(fn: Reducer, t: Tensor, args: Args): Tensor {
  const values = asFloat64(t);
  const ddof = (args['ddof'] as number | undefined) ?? 0;
  if (args['axis'] === undefined) return f64([], Float64Array.of(reduce(fn, values, 0, values.length, 1, ddof)));
  const axis = normAxis(fn, args['axis'] as number, t.shape.length);
  const n = t.shape[axis]!;
  const post = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const pre = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out = new Float64Array(pre * post);
  for (let p = 0; p < pre; p++) for (let q = 0; q < post; q++) out[p * post + q] = reduce(fn, values, p * n * post + q, n, post, ddof);
  return f64([...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)], out);
}

function reduceTable(fn: Reducer, t: Table, args: Args): Table {
  const ddof = (args['ddof'] as number | undefined) ?? 0;
  return table(
    t.columns.flatMap((c) => {
      if (c.kind !== 'numeric') return [];
      const v = c.values instanceof Float64Array ? c.values : Float64Array.from(c.values as ArrayLike<number>);
      return [{ kind: 'numeric' as const, name: c.name, dtype: 'float64' as const, values: Float64Array.of(reduce(fn, v, 0, v.length, 1, ddof)) }];
    }),
  );
}

function reduction(fn: Reducer): OpDef {
  return {
    name: fn,
    category: 'reduction',
    summary: `${fn} of all elements, along one axis, or of each numeric column of a table`,
    arity: [1, 1],
    args: {
      axis: { kind: 'int', min: -32, max: 32 },
      ...(fn === 'std' || fn === 'var' ? { ddof: { kind: 'int' as const, min: 0, max: 1 } } : {}),
    },
    infer: ([t], args): ValueType => {
      if (t!.kind === 'table') {
        if (args['axis'] !== undefined) throw badArgument(fn, 'a table reduces per column; "axis" applies to tensors only.');
        return { kind: 'table', columns: t!.columns.filter((c) => c.kind === 'numeric').map((c) => ({ name: c.name, kind: 'numeric', dtype: 'float64' })), rows: 1, exact: true };
      }
      if (t!.kind !== 'tensor') throw badArgument(fn, `expects a tensor or a table, got a ${describeType(t!)}.`);
      if (args['axis'] === undefined) return { kind: 'tensor', dtype: 'float64', shape: [], exact: true };
      const axis = normAxis(fn, args['axis'] as number, t!.shape.length);
      return { kind: 'tensor', dtype: 'float64', shape: [...t!.shape.slice(0, axis), ...t!.shape.slice(axis + 1)], exact: axis !== 0 ? t!.exact : true };
    },
    evaluate: ([v], args) => {
      if (isTable(v)) return reduceTable(fn, v, args);
      if (!isTensor(v)) throw badArgument(fn, 'expects a tensor or a table.');
      return reduceTensor(fn, v, args);
    },
  };
}

export const REDUCTION_OPS: readonly OpDef[] = REDUCERS.map(reduction);
