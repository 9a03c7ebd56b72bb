import type { FloatArray } from './floats';

// Top-k selection by magnitude in O(n): quickselect the k-th largest |x|, then one pass
// that keeps every index above it plus enough ties to make exactly k.

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
