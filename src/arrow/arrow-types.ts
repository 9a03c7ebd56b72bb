import { Float16, Float32, Float64, Int8, Int16, Int32, Int64, Uint8, type DataType } from 'apache-arrow';
import type { DType } from '../tensor';

// The Arrow type each dtype travels as. Every choice keeps the tensor's own bytes as Arrow's
// values buffer, so writing and reading are views, not conversions:
// - float16 -> Arrow Float16. arrow-js stores it as raw IEEE half bits in a Uint16Array, which is
//   exactly Duet's float16 storage, and other Flight clients (pyarrow) see real halves.
// - bool -> Arrow Uint8 (0/1), not Arrow Bool: Bool is bit-packed, so it would cost a pack on
//   write and an unpack on read, and a bool tensor could never be a view. The schema metadata
//   says dtype=bool, so Duet readers give back a bool tensor.
// - int64 -> Arrow Int64 over a BigInt64Array, so every 64-bit value round-trips exactly.
export function arrowTypeOf(dtype: DType): DataType {
  switch (dtype) {
    case 'float16':
      return new Float16();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'int8':
      return new Int8();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'uint8':
    case 'bool':
      return new Uint8();
  }
}

/** True when `type` is the Arrow type `dtype` travels as (compared by Arrow's own type id and width). */
export function arrowTypeMatches(dtype: DType, type: DataType): boolean {
  const want = arrowTypeOf(dtype);
  return want.typeId === type.typeId && String(want) === String(type);
}
