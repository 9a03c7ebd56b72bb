import { DuetError } from '../errors';
import { ARRAY_OF, assertDType, bytesPerElement, type DataOf, type DType } from './dtype';

const TENSOR_BRAND = Symbol.for('duet/tensor');

/** A dense, row-major tensor over a flat typed array. */
export interface Tensor<D extends DType = DType> {
  readonly [TENSOR_BRAND]: true;
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DataOf[D];
}

// A brand, not instanceof: tensors cross bundles, workers and package copies.
export function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TENSOR_BRAND] === true;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function assertShape(shape: readonly number[]): readonly number[] {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new DuetError('INVALID_ARGUMENT', `Bad shape [${shape.join(', ')}]: dimensions must be non-negative integers.`, { reason: 'BAD_SHAPE' });
    }
  }
  if (!Number.isSafeInteger(sizeOf(shape))) {
    throw new DuetError('INVALID_ARGUMENT', `Bad shape [${shape.join(', ')}]: too many elements.`, { reason: 'BAD_SHAPE' });
  }
  return shape;
}

export function tensor<D extends DType>(dtype: D, shape: readonly number[], data?: DataOf[D]): Tensor<D> {
  assertDType(dtype);
  assertShape(shape);
  const n = sizeOf(shape);
  const values = data ?? new ARRAY_OF[dtype](n);
  if (!(values instanceof ARRAY_OF[dtype])) {
    throw new DuetError('INVALID_ARGUMENT', `A ${dtype} tensor needs a ${ARRAY_OF[dtype].name}, got ${Object.prototype.toString.call(values)}.`, {
      reason: 'BAD_DTYPE',
    });
  }
  if (values.length !== n) {
    throw new DuetError('INVALID_ARGUMENT', `Shape [${shape.join(', ')}] needs ${n} elements but the data has ${values.length}.`, {
      reason: 'BAD_SHAPE',
    });
  }
  return Object.freeze({ [TENSOR_BRAND]: true as const, dtype, shape: Object.freeze([...shape]), data: values });
}

export function byteLengthOf(dtype: DType, shape: readonly number[]): number {
  return sizeOf(shape) * bytesPerElement(dtype);
}

/** The tensor's bytes, as a view (no copy). */
export function tensorBytes(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/**
 * Rebuilds a tensor over `bytes` without copying when the bytes are aligned for the dtype.
 * Copies only when `byteOffset` is misaligned, because typed views require alignment.
 */
export function tensorFromBytes<D extends DType>(dtype: D, shape: readonly number[], bytes: Uint8Array): Tensor<D> {
  assertShape(shape);
  const width = bytesPerElement(dtype);
  const expected = sizeOf(shape) * width;
  if (bytes.byteLength !== expected) {
    throw new DuetError('INVALID_ARGUMENT', `A ${dtype} tensor of shape [${shape.join(', ')}] needs ${expected} bytes, got ${bytes.byteLength}.`, {
      reason: 'BAD_SHAPE',
    });
  }
  // new Uint8Array(bytes), not bytes.slice(): on a Node Buffer, slice() is a view (still misaligned).
  const src = bytes.byteOffset % width === 0 ? bytes : new Uint8Array(bytes);
  const Ctor = ARRAY_OF[dtype];
  return tensor(dtype, shape, new Ctor(src.buffer, src.byteOffset, expected / width));
}
