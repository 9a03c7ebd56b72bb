import { uniform, xorshift32 } from '../../src/codecs/lossy/random';
import { DTYPES, type DType, float16ArrayFrom } from '../../src/tensor';

// Deterministic test payloads per dtype: smooth, sparse, random and edge values.

/** Uniform floats in [0, 1) from a seed (the codecs' own xorshift32). */
export function prng(seed: number): () => number {
  const next = xorshift32(seed);
  return () => uniform(next);
}

export type Shape = 'smooth' | 'sparse' | 'random' | 'zeros' | 'edges';

function values(kind: Shape, n: number, seed: number): number[] {
  const r = prng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (kind === 'smooth') out.push(Math.sin(i / 50) * 100);
    else if (kind === 'sparse') out.push(r() < 0.1 ? (r() - 0.5) * 200 : 0);
    else if (kind === 'random') out.push((r() - 0.5) * 2 ** 20);
    else if (kind === 'zeros') out.push(0);
    else out.push([0, -0, 1, -1, 127, -128, 255][i % 7]!);
  }
  return out;
}

/** The flat bytes of a tensor of `dtype` with `n` elements of the given shape. */
export function payload(dtype: DType, n: number, kind: Shape, seed = 1): Uint8Array {
  const v = values(kind, n, seed);
  let arr: ArrayBufferView;
  switch (dtype) {
    case 'float16':
      arr = float16ArrayFrom(v);
      break;
    case 'float32':
    case 'float64': {
      const f = dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v);
      if (kind === 'edges' && n > 0) f[n - 1] = NaN;
      arr = f;
      break;
    }
    case 'int64':
      arr = BigInt64Array.from(v, (x) => BigInt(Math.trunc(x)) * (kind === 'random' ? 2n ** 20n : 1n));
      break;
    case 'bool':
      arr = Uint8Array.from(v, (x) => (x !== 0 ? 1 : 0));
      break;
    case 'int8':
      arr = Int8Array.from(v, Math.trunc);
      break;
    case 'int16':
      arr = Int16Array.from(v, Math.trunc);
      break;
    case 'int32':
      arr = Int32Array.from(v, Math.trunc);
      break;
    case 'uint8':
      arr = Uint8Array.from(v, Math.trunc);
      break;
  }
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

export const ALL_DTYPES: readonly DType[] = DTYPES;
export const FLOAT_DTYPES: readonly DType[] = ['float16', 'float32', 'float64'];

/** The same bytes at an odd byteOffset, to exercise the misaligned paths. */
export function misaligned(bytes: Uint8Array): Uint8Array {
  const buf = new Uint8Array(bytes.byteLength + 1);
  buf.set(bytes, 1);
  return buf.subarray(1);
}
