import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

// Data helpers the benchmarks share, so their payloads are built the same way.

/** The body of a gzipped IDX file (MNIST), after its header. */
export function gunzippedIdx(url: URL, headerBytes: number): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(url)).subarray(headerBytes));
}

/** Seeded N(0,1): Box–Muller over an LCG, so every run builds the same payloads. */
export function seededNormal(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}
