import { sameBytes } from './bytes';
import { ARRAY_OF, DTYPES, sizeOf, tensor, type DType, type Tensor } from '../../src/tensor';

/** A deterministic tensor whose bytes differ everywhere, with the edge values of each dtype. */
export function sampleTensor(dtype: DType, shape: readonly number[], seed = 1): Tensor {
  const n = sizeOf(shape);
  const data = new ARRAY_OF[dtype](n);
  let x = seed >>> 0;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < n; i++) {
    const r = next();
    switch (dtype) {
      case 'int64':
        (data as BigInt64Array)[i] = i === 0 ? -(2n ** 63n) : i === 1 ? 2n ** 63n - 1n : (BigInt(r) << 32n) | BigInt(next());
        break;
      case 'bool':
        (data as Uint8Array)[i] = r & 1;
        break;
      case 'float64':
        (data as Float64Array)[i] = i === 0 ? Number.MIN_VALUE : (r / 2 ** 32 - 0.5) * 1e6;
        break;
      default:
        // Raw bits for float16 (every pattern, NaNs included, must survive), ints wrap naturally.
        (data as unknown as Record<number, number>)[i] = dtype === 'float32' ? r / 1024 - 2e6 : r;
    }
  }
  return tensor(dtype, shape, data as never);
}

export const ALL_DTYPES = DTYPES;
export const SHAPES: ReadonlyArray<readonly number[]> = [[], [0], [1], [7], [3, 5], [2, 0, 3], [13, 17], [2, 3, 4, 5]];

export function sameTensor(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.join(',') !== b.shape.join(',')) return false;
  return sameBytes(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength));
}
