import { DuetError } from '../errors';

export const DTYPES = ['float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

/** The flat storage of each dtype. float16 keeps raw IEEE half bits; bool keeps 0/1 bytes. */
export interface DataOf {
  float16: Uint16Array;
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type TensorData = DataOf[DType];

interface TypedArrayCtor<T> {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

export const ARRAY_OF: { [D in DType]: TypedArrayCtor<DataOf[D]> } = {
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

export function assertDType(value: unknown): DType {
  if (!isDType(value)) {
    throw new DuetError('INVALID_ARGUMENT', `Unknown dtype "${String(value)}"; expected one of ${DTYPES.join(', ')}.`, { reason: 'BAD_DTYPE' });
  }
  return value;
}

export function bytesPerElement(dtype: DType): number {
  return ARRAY_OF[dtype].BYTES_PER_ELEMENT;
}
