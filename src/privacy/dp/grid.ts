import { GRID_BITS } from './constants';

// Real-valued answers are snapped to a grid of spacing γ = 2^(floor(log2 Δ) - GRID_BITS), then
// integer noise is added in grid units: the released value is γ·(round(x/γ) + Z), exactly
// representable, so its low bits cannot carry the true value (Mironov 2012). Rounding can move two
// neighbouring answers one more grid step apart, so the sensitivity in grid units is Δ/γ + 1 per
// coordinate, which the mechanisms charge for.

export function granularityFor(sensitivity: number): number {
  return 2 ** (Math.floor(Math.log2(sensitivity)) - GRID_BITS);
}

export function toGrid(x: number, gamma: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`cannot release a non-finite value (${x}); clamp or filter first`);
  return BigInt(Math.round(x / gamma));
}

export function fromGrid(k: bigint, gamma: number): number {
  return Number(k) * gamma;
}

/** Releases γ·(round(x/γ) + noise()) for each value: the true value on the grid plus integer noise. */
export function releaseOnGrid(values: Float64Array, gamma: number, noise: () => bigint): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = fromGrid(toGrid(values[i]!, gamma) + noise(), gamma);
  return out;
}
