import { ARRAY_OF, DTYPES, tensor, type DType, type Tensor } from '../../src/tensor';

/** A tensor with varied, reproducible contents for any dtype and shape. */
export function sampleTensor(dtype: DType, shape: readonly number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new ARRAY_OF[dtype](n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0; // an LCG: fast, and the same on every run
    if (data instanceof BigInt64Array) data[i] = BigInt(x) * (i % 2 ? -1n : 1n) * 4_000_000_000n;
    else if (data instanceof Float32Array || data instanceof Float64Array) data[i] = (x / 2 ** 32 - 0.5) * 1e3;
    else if (dtype === 'bool') data[i] = x & 1;
    else (data as Uint8Array)[i] = x; // wraps to each integer type's range
  }
  return tensor(dtype, shape, data as never);
}

export const SHAPES: readonly (readonly number[])[] = [[], [0], [1], [7], [3, 5], [2, 0, 4], [33, 17], [2, 3, 4, 5]];
export const ALL_DTYPES = DTYPES;
