import { TOPK_SAMPLE_MIN, TOPK_SAMPLE_RATIO, TOPK_SAMPLE_SIGMAS } from '../constants';
import type { FloatArray } from './floats';
import { xorshift32, uniform } from './random';

// Top-k selection by magnitude in O(n): quickselect the k-th largest |x|, then one pass
// that keeps every index above it plus enough ties to make exactly k.
//
// On large inputs a sample first finds a threshold that is, with high probability, below
// the k-th largest (Floyd and Rivest's idea): one pass collects the few elements above it,
// and the exact selection runs on those only. Every element at least as large as the k-th
// largest is among them, so the result is the same k indices; a sample that guessed too
// high (fewer than k above) falls back to the whole array. This makes exact top-k about
// as cheap as DGC's sampled threshold, instead of a quickselect over n magnitudes.

/** The k-th largest value of `a` (1-based k), reordering `a`. */
export function kthLargest(a: Float32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}

/** Indices (ascending) of the k largest magnitudes among `candidates` (all of `acc` if absent). */
export function topKIndices(acc: FloatArray, k: number, candidates?: Uint32Array): Uint32Array {
  const n = candidates ? candidates.length : acc.length;
  if (k >= n) return candidates ?? Uint32Array.from({ length: n }, (_, i) => i);
  if (k <= 0) return new Uint32Array(0);
  if (!candidates) {
    const above = sampledCandidates(acc, k);
    if (above) return exactTopK(acc, k, above);
  }
  return exactTopK(acc, k, candidates);
}

/**
 * Indices whose |x| reaches a threshold sampled to sit just below the k-th largest, or
 * undefined when sampling does not pay (small n, large k) or the threshold came out too high.
 */
export function sampledCandidates(acc: FloatArray, k: number): Uint32Array | undefined {
  const n = acc.length;
  const s = Math.max(TOPK_SAMPLE_MIN, Math.ceil(n * TOPK_SAMPLE_RATIO));
  // The sample's expected count above the true k-th largest, plus a few standard deviations,
  // so that the threshold lands below it; past a quarter of the sample it saves nothing.
  const expected = (s * k) / n;
  const rank = Math.ceil(expected + TOPK_SAMPLE_SIGMAS * Math.sqrt(expected) + 1);
  if (s * 4 > n || rank * 4 > s) return undefined;
  const random = xorshift32(0x9e3779b9 ^ n ^ (k << 7));
  const sample = new Float64Array(s);
  for (let j = 0; j < s; j++) sample[j] = Math.abs(acc[Math.floor(uniform(random) * n)]!);
  const threshold = kthLargest(sample, rank);
  let count = 0;
  for (let i = 0; i < n; i++) if (Math.abs(acc[i]!) >= threshold) count++;
  if (count < k) return undefined;
  const out = new Uint32Array(count);
  let c = 0;
  for (let i = 0; i < n; i++) if (Math.abs(acc[i]!) >= threshold) out[c++] = i;
  return out;
}

function exactTopK(acc: FloatArray, k: number, candidates?: Uint32Array): Uint32Array {
  const n = candidates ? candidates.length : acc.length;
  if (k >= n) return candidates ?? Uint32Array.from({ length: n }, (_, i) => i);
  const mags = new Float64Array(n);
  for (let j = 0; j < n; j++) mags[j] = Math.abs(acc[candidates ? candidates[j]! : j]!);
  const threshold = kthLargest(mags, k);
  let above = 0;
  for (let j = 0; j < n; j++) if (Math.abs(acc[candidates ? candidates[j]! : j]!) > threshold) above++;
  let ties = k - above;
  const out = new Uint32Array(k);
  let o = 0;
  for (let j = 0; j < n && o < k; j++) {
    const i = candidates ? candidates[j]! : j;
    const m = Math.abs(acc[i]!);
    if (m > threshold || (m === threshold && ties-- > 0)) out[o++] = i;
  }
  return out;
}
