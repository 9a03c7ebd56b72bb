import { DuetError } from '../../errors';
import { MAX_DP_BINS } from './constants';
import type { BudgetLedger } from './ledger';
import type { MechanismRegistry, PrivacyCost, Sensitivity } from './mechanism';
import type { RandomSource } from './random';
import { defaultMechanisms } from './registry';

// DP count, sum, mean and histogram. Neighbouring data sets differ by adding or removing one
// record. Each value is clamped into the declared bounds [lo, hi] first, so one record moves a
// sum by at most max(|lo|, |hi|): the sensitivity comes from the bounds, never from the data.
// Missing values (NaN) contribute nothing.

export type DpQuery =
  | { readonly kind: 'count' }
  | { readonly kind: 'sum'; readonly bounds: readonly [number, number] }
  | { readonly kind: 'mean'; readonly bounds: readonly [number, number] }
  | { readonly kind: 'histogram'; readonly bins: number; readonly range: readonly [number, number] };

export interface DpOptions {
  readonly epsilon: number;
  readonly delta?: number;
  /** 'laplace' (default) or 'gaussian', or any registered id. */
  readonly mechanism?: string;
  readonly mechanisms?: MechanismRegistry;
  readonly random?: RandomSource;
}

export interface DpResult {
  readonly query: DpQuery['kind'];
  /** One number, or one per bin for a histogram. */
  readonly values: readonly number[];
  readonly cost: PrivacyCost;
  /** Noise scale per released number (Laplace b or Gaussian σ), in the query's units. */
  readonly scale: number;
  readonly sensitivity: Sensitivity;
}

let builtins: MechanismRegistry | undefined;
const registryOf = (o: DpOptions) => o.mechanisms ?? (builtins ??= defaultMechanisms());

function checkBounds(b: readonly [number, number]): [number, number] {
  const [lo, hi] = b;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo <= hi)) {
    throw new DuetError('INVALID_ARGUMENT', `Clamping bounds must be finite with lo <= hi, got [${lo}, ${hi}].`, { reason: 'BAD_BOUNDS' });
  }
  return [lo, hi];
}

/** Clamps each present value into [lo, hi] and sums them. */
export function clampedSum(values: ArrayLike<number>, lo: number, hi: number): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    sum += Math.min(hi, Math.max(lo, v));
    count++;
  }
  return { sum, count };
}

function sumSensitivity([lo, hi]: [number, number]): number {
  const d = Math.max(Math.abs(lo), Math.abs(hi));
  if (d === 0) throw new DuetError('INVALID_ARGUMENT', 'Bounds [0, 0] make every value 0; there is nothing to release.', { reason: 'BAD_BOUNDS' });
  return d;
}

/** What a query will cost, before anything is released (for the budget check). */
export function dpCost(query: DpQuery, opts: DpOptions): PrivacyCost {
  const m = registryOf(opts).get(opts.mechanism ?? 'laplace');
  if (query.kind === 'mean') {
    const part = m.cost({ epsilon: opts.epsilon / 2, ...(opts.delta !== undefined ? { delta: opts.delta / 2 } : {}), sensitivity: { l1: 1, l2: 1 }, integerValued: true });
    return { epsilon: part.epsilon * 2, delta: part.delta * 2, mechanism: part.mechanism, ...(part.rdp ? { rdp: (a: number) => 2 * part.rdp!(a) } : {}) };
  }
  return m.cost({ epsilon: opts.epsilon, ...(opts.delta !== undefined ? { delta: opts.delta } : {}), sensitivity: { l1: 1, l2: 1 }, integerValued: true });
}

/** Runs a DP query on the values (a numeric column or tensor, flattened). Spends nothing: see runDpQuery. */
export function dpRelease(query: DpQuery, values: ArrayLike<number>, opts: DpOptions): DpResult {
  const m = registryOf(opts).get(opts.mechanism ?? 'laplace');
  const base = { ...(opts.delta !== undefined ? { delta: opts.delta } : {}), ...(opts.random ? { random: opts.random } : {}) };
  switch (query.kind) {
    case 'count': {
      let n = 0;
      for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) n++;
      const s = { l1: 1, l2: 1 };
      const r = m.release(Float64Array.of(n), { ...base, epsilon: opts.epsilon, sensitivity: s, integerValued: true });
      return { query: 'count', values: [...r.values], cost: r.cost, scale: r.scale, sensitivity: s };
    }
    case 'sum': {
      const b = checkBounds(query.bounds);
      const d = sumSensitivity(b);
      const s = { l1: d, l2: d };
      const r = m.release(Float64Array.of(clampedSum(values, b[0], b[1]).sum), { ...base, epsilon: opts.epsilon, sensitivity: s, integerValued: false });
      return { query: 'sum', values: [...r.values], cost: r.cost, scale: r.scale, sensitivity: s };
    }
    case 'mean': {
      // Half the budget to the sum, half to the count; the ratio is post-processing, clamped to the bounds.
      const b = checkBounds(query.bounds);
      const d = sumSensitivity(b);
      const halfOpts = { ...base, epsilon: opts.epsilon / 2, ...(opts.delta !== undefined ? { delta: opts.delta / 2 } : {}) };
      const { sum, count } = clampedSum(values, b[0], b[1]);
      const rs = m.release(Float64Array.of(sum), { ...halfOpts, sensitivity: { l1: d, l2: d }, integerValued: false });
      const rc = m.release(Float64Array.of(count), { ...halfOpts, sensitivity: { l1: 1, l2: 1 }, integerValued: true });
      const mean = Math.min(b[1], Math.max(b[0], rs.values[0]! / Math.max(1, rc.values[0]!)));
      const rdpS = rs.cost.rdp;
      const rdpC = rc.cost.rdp;
      const cost: PrivacyCost = {
        epsilon: rs.cost.epsilon + rc.cost.epsilon,
        delta: rs.cost.delta + rc.cost.delta,
        mechanism: rs.cost.mechanism,
        ...(rdpS && rdpC ? { rdp: (a: number) => rdpS(a) + rdpC(a) } : {}),
      };
      return { query: 'mean', values: [mean], cost, scale: rs.scale, sensitivity: { l1: d, l2: d } };
    }
    case 'histogram': {
      const [lo, hi] = checkBounds(query.range);
      if (!Number.isInteger(query.bins) || query.bins < 1 || query.bins > MAX_DP_BINS || !(lo < hi)) {
        throw new DuetError('INVALID_ARGUMENT', `A DP histogram needs 1..${MAX_DP_BINS} bins (MAX_DP_BINS) and lo < hi.`, { reason: 'BAD_HISTOGRAM' });
      }
      const counts = new Float64Array(query.bins);
      const width = (hi - lo) / query.bins;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (!(v >= lo && v <= hi)) continue;
        counts[v === hi ? query.bins - 1 : Math.min(query.bins - 1, Math.floor((v - lo) / width))]!++;
      }
      // One record lands in one bin: L1 and L2 sensitivity are both 1.
      const s = { l1: 1, l2: 1 };
      const r = m.release(counts, { ...base, epsilon: opts.epsilon, sensitivity: s, integerValued: true });
      return { query: 'histogram', values: [...r.values], cost: r.cost, scale: r.scale, sensitivity: s };
    }
  }
}

/**
 * Charges the ledger for the query on every asset it reads, then releases. The charge comes
 * first: a query refused for budget releases nothing, and one that fails after the charge has
 * still spent it (the safe side).
 */
export function runDpQuery(
  ledger: BudgetLedger,
  scientist: string,
  assets: readonly string[],
  query: DpQuery,
  values: ArrayLike<number>,
  opts: DpOptions,
): DpResult {
  ledger.charge(scientist, assets, dpCost(query, opts));
  return dpRelease(query, values, opts);
}
