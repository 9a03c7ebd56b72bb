import { DuetError } from '../../errors';
import type { DType } from '../../tensor';
import { allocFrame, FRAME_HEADER_BYTES, openFrame, readFrameHeader, sealFrame, type FrameFormat } from '../frame';
import { denseOut, isFloatDType, loadValue, storeValue, widthOf, type FloatArray, type FloatDType } from './floats';

// The frame body shared by the sparsifying gradient codecs (top-k, DGC, random-k):
//
//   u32 n, u32 k, [u32 seed, u32 0 — random-k only], values (k x dtype width, padded to 4),
//   [u32 indices, ascending — top-k and DGC only]
//
// Values come first so they sit 8-aligned in the frame. Random-k sends its seed instead of
// indices; the receiver draws the same indices from it.

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

export function ratioOf(codecId: string, ratio: number): number {
  if (!(ratio > 0 && ratio <= 1)) {
    throw new DuetError('INVALID_ARGUMENT', `Codec ${codecId}: ratio=${ratio} is invalid; it must be in (0, 1].`, { reason: 'BAD_CONFIG', details: { setting: 'ratio' } });
  }
  return ratio;
}

/** Elements to keep: at least one of a non-empty tensor. */
export const keepCount = (n: number, ratio: number): number => (n === 0 ? 0 : Math.max(1, Math.ceil(n * ratio)));

function headerBytes(seeded: boolean): number {
  return seeded ? 16 : 8;
}

/** The frame length writeSparseGradient() gives for k of the elements of `byteLength` bytes of `dtype`. */
export function sparseGradientFrameBytes(dtype: DType, byteLength: number, ratio: number, seeded: boolean): number {
  if (!isFloatDType(dtype)) return byteLength; // not a payload these codecs take
  const w = widthOf(dtype);
  const k = keepCount(Math.floor(byteLength / w), ratio);
  return FRAME_HEADER_BYTES + headerBytes(seeded) + pad4(k * w) + (seeded ? 0 : 4 * k);
}

/**
 * Writes `acc[indices]` into a frame and subtracts what the receiver will read back from
 * `acc`, which leaves exactly the unsent part there (the residual).
 */
export async function writeSparseGradient(
  format: FrameFormat,
  dtype: FloatDType,
  acc: FloatArray,
  indices: Uint32Array,
  seed?: number,
): Promise<Uint8Array> {
  const w = widthOf(dtype);
  const k = indices.length;
  const seeded = seed !== undefined;
  const valuesAt = headerBytes(seeded);
  const indexAt = valuesAt + pad4(k * w);
  const { frame, body } = allocFrame(indexAt + (seeded ? 0 : 4 * k));
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  v.setUint32(0, acc.length, true);
  v.setUint32(4, k, true);
  if (seeded) v.setUint32(8, seed, true);
  for (let j = 0; j < k; j++) {
    const i = indices[j]!;
    acc[i]! -= storeValue(v, valuesAt + j * w, dtype, acc[i]!);
    if (!seeded) v.setUint32(indexAt + 4 * j, i, true);
  }
  return sealFrame(frame, { format, dtype, mode: seeded ? 1 : 0, decodedBytes: acc.length * w });
}

export async function readSparseGradient(
  frame: Uint8Array,
  format: FrameFormat,
  codecId: string,
  cap: number,
  regenerate?: (n: number, k: number, seed: number) => Uint32Array,
): Promise<Uint8Array> {
  const f = await openFrame(frame, format, codecId, cap);
  const corrupt = (what: string) => new DuetError('DATA_LOSS', `A ${codecId} frame is corrupt: ${what}.`, { reason: 'CORRUPT' });
  if (f.dtype !== 'float16' && f.dtype !== 'float32' && f.dtype !== 'float64') throw corrupt(`dtype ${f.dtype} is not a float`);
  const dtype: FloatDType = f.dtype;
  const w = widthOf(dtype);
  const seeded = regenerate !== undefined;
  if (f.body.byteLength < headerBytes(seeded)) throw corrupt('the body is too short');
  const v = new DataView(f.body.buffer, f.body.byteOffset, f.body.byteLength);
  const n = v.getUint32(0, true);
  const k = v.getUint32(4, true);
  if (n * w !== f.decodedBytes || k > n) throw corrupt(`n=${n}, k=${k} disagree with the declared ${f.decodedBytes} bytes`);
  const valuesAt = headerBytes(seeded);
  const indexAt = valuesAt + pad4(k * w);
  if (f.body.byteLength !== indexAt + (seeded ? 0 : 4 * k)) throw corrupt('the body length does not match k');
  const indices = seeded ? regenerate(n, k, v.getUint32(8, true)) : undefined;
  const out = denseOut(dtype, n);
  let last = -1;
  for (let j = 0; j < k; j++) {
    const i = indices ? indices[j]! : v.getUint32(indexAt + 4 * j, true);
    if (i <= last || i >= n) throw corrupt(`index ${i} after ${last} is out of order or past ${n}`);
    out.set(i, loadValue(v, valuesAt + j * w, dtype));
    last = i;
  }
  return out.bytes;
}

export function sparseGradientSize(frame: Uint8Array, format: FrameFormat, codecId: string): number {
  return readFrameHeader(frame, format, codecId).decodedBytes;
}
