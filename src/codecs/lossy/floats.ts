import { DuetError } from '../../errors';
import { fromFloat16Bits, toFloat16Bits, type DType } from '../../tensor';

// Gradients arrive as float16 bits, float32 or float64. Lossy codecs work in float32
// (float16 and float32 input) or float64 (float64 input), and store sent values in the
// payload's own dtype, so the receiver rebuilds the same dtype it would have got raw.

export type FloatArray = Float32Array | Float64Array;
export type FloatDType = 'float16' | 'float32' | 'float64';

export function isFloatDType(dtype: DType): dtype is FloatDType {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

export function assertFloat(codecId: string, dtype: DType): FloatDType {
  if (!isFloatDType(dtype)) {
    throw new DuetError('INVALID_ARGUMENT', `Codec ${codecId} compresses float gradients only, not ${dtype}.`, { reason: 'BAD_DTYPE' });
  }
  return dtype;
}

export const widthOf = (dtype: FloatDType): number => (dtype === 'float16' ? 2 : dtype === 'float32' ? 4 : 8);

/** A working array of the right precision, zeroed. */
export function workArray(dtype: FloatDType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** Adds the payload's values into `acc`; refuses NaN and infinities, which would stick in the residual forever. */
export function addInto(codecId: string, acc: FloatArray, dtype: FloatDType, bytes: Uint8Array, scale = 1): void {
  const n = acc.length;
  // Copy only when misaligned: typed views need byteOffset % width === 0.
  const b = bytes.byteOffset % widthOf(dtype) === 0 ? bytes : bytes.slice();
  let bad = 0;
  if (dtype === 'float16') {
    const src = new Uint16Array(b.buffer, b.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const x = fromFloat16Bits(src[i]!);
      bad += x - x;
      acc[i]! += x * scale;
    }
  } else {
    const src = dtype === 'float32' ? new Float32Array(b.buffer, b.byteOffset, n) : new Float64Array(b.buffer, b.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      bad += x - x;
      acc[i]! += x * scale;
    }
  }
  // x - x is 0 for every finite x and NaN otherwise, so one bad value makes the sum NaN.
  if (Number.isNaN(bad)) {
    throw new DuetError('INVALID_ARGUMENT', `Codec ${codecId} got a gradient with NaN or infinite values.`, { reason: 'NON_FINITE' });
  }
}

/** Sum of squares of the payload's values, for clipping. */
export function squaredNorm(dtype: FloatDType, bytes: Uint8Array): number {
  const n = bytes.byteLength / widthOf(dtype);
  const b = bytes.byteOffset % widthOf(dtype) === 0 ? bytes : bytes.slice();
  let s = 0;
  if (dtype === 'float16') {
    const src = new Uint16Array(b.buffer, b.byteOffset, n);
    for (let i = 0; i < n; i++) s += fromFloat16Bits(src[i]!) ** 2;
  } else {
    const src = dtype === 'float32' ? new Float32Array(b.buffer, b.byteOffset, n) : new Float64Array(b.buffer, b.byteOffset, n);
    for (let i = 0; i < n; i++) s += src[i]! * src[i]!;
  }
  return s;
}

/** Writes `values[j]` into `dst` (bytes in `dtype`), returning what the receiver will read back. */
export function storeValue(dst: DataView, at: number, dtype: FloatDType, value: number): number {
  if (dtype === 'float16') {
    const bits = toFloat16Bits(value);
    dst.setUint16(at, bits, true);
    return fromFloat16Bits(bits);
  }
  if (dtype === 'float32') {
    dst.setFloat32(at, value, true);
    return Math.fround(value);
  }
  dst.setFloat64(at, value, true);
  return value;
}

export function loadValue(src: DataView, at: number, dtype: FloatDType): number {
  if (dtype === 'float16') return fromFloat16Bits(src.getUint16(at, true));
  return dtype === 'float32' ? src.getFloat32(at, true) : src.getFloat64(at, true);
}

/** A dense output of n elements of `dtype`, with setters by index. */
export function denseOut(dtype: FloatDType, n: number): { bytes: Uint8Array; set(i: number, v: number): void } {
  const bytes = new Uint8Array(n * widthOf(dtype));
  if (dtype === 'float16') {
    const a = new Uint16Array(bytes.buffer);
    return { bytes, set: (i, v) => void (a[i] = toFloat16Bits(v)) };
  }
  const a = dtype === 'float32' ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  return { bytes, set: (i, v) => void (a[i] = v) };
}
