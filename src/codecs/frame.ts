import { createXXHash32, type IHasher } from 'hash-wasm';
import { DuetError } from '../errors';
import { enforceLimit } from '../limits';
import { DTYPES, type DType } from '../tensor';

// The envelope of every codec frame except `none` (the bytes themselves) and `xz` (a plain
// .xz stream, whose index declares its size). 24 bytes, little-endian:
//
//   0  u8[4] magic "DUCF"           4  u8 version (1)      5  u8 format (which codec family)
//   6  u8    dtype (index in DTYPES) 7  u8 mode (the codec's own variant)
//   8  u32   decoded bytes, low     12  u32 decoded bytes, high (< 2^53)
//  16  u32   body bytes             20  u8[4] xxh32 of bytes 0..19 and the body
//  24  body
//
// The checksum runs before any decoder sees the body, so a flipped bit is DATA_LOSS rather
// than garbage or a wasm abort. It does not stop tampering; AES-GCM does that on hub paths.

export const FRAME_HEADER_BYTES = 24;
export const FRAME_VERSION = 1;
const MAGIC = [0x44, 0x55, 0x43, 0x46] as const; // "DUCF"

/** Codec families with a frame of their own; the number is on the wire. */
export const FRAME_FORMAT = { blosc: 1, sparse: 2, topk: 3, randomk: 4, dgc: 5, qsgd: 6 } as const;
export type FrameFormat = (typeof FRAME_FORMAT)[keyof typeof FRAME_FORMAT];
const FORMAT_NAMES = new Map<number, string>(Object.entries(FRAME_FORMAT).map(([k, v]) => [v, k]));

export interface FrameHeader {
  format: FrameFormat;
  dtype: DType;
  mode: number;
  decodedBytes: number;
}

export interface OpenFrame extends FrameHeader {
  /** A view of the frame's body (no copy). Aligned to 8 when the frame itself is. */
  body: Uint8Array;
}

let hasherPromise: Promise<IHasher> | undefined;
async function checksum(header: Uint8Array, body: Uint8Array): Promise<Uint8Array> {
  hasherPromise ??= createXXHash32();
  const h = await hasherPromise;
  // init/update/digest run synchronously, so concurrent callers cannot interleave on the shared hasher.
  h.init();
  h.update(header.subarray(0, 20));
  h.update(body);
  return h.digest('binary');
}

/** A new frame with room for `bodyBytes`; write the body, then `sealFrame`. */
export function allocFrame(bodyBytes: number): { frame: Uint8Array; body: Uint8Array } {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + bodyBytes);
  return { frame, body: frame.subarray(FRAME_HEADER_BYTES) };
}

/** Writes the header and checksum into a frame from `allocFrame`. */
export async function sealFrame(frame: Uint8Array, header: FrameHeader): Promise<Uint8Array> {
  const v = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
  MAGIC.forEach((b, i) => v.setUint8(i, b));
  v.setUint8(4, FRAME_VERSION);
  v.setUint8(5, header.format);
  v.setUint8(6, DTYPES.indexOf(header.dtype));
  v.setUint8(7, header.mode);
  v.setUint32(8, header.decodedBytes % 2 ** 32, true);
  v.setUint32(12, Math.floor(header.decodedBytes / 2 ** 32), true);
  const body = frame.subarray(FRAME_HEADER_BYTES);
  v.setUint32(16, body.byteLength, true);
  frame.set(await checksum(frame, body), 20);
  return frame;
}

/** Copies `body` behind a fresh header. The copy is the price of one contiguous frame. */
export async function frameOf(header: FrameHeader, body: Uint8Array): Promise<Uint8Array> {
  const { frame, body: dst } = allocFrame(body.byteLength);
  dst.set(body);
  return sealFrame(frame, header);
}

function dataLoss(message: string, reason: string): DuetError {
  return new DuetError('DATA_LOSS', message, { reason });
}

/** Reads the header only: for declaredSize and for refusing oversized frames early. */
export function readFrameHeader(frame: Uint8Array, expected: FrameFormat, codecId: string): FrameHeader & { bodyBytes: number } {
  if (frame.byteLength < FRAME_HEADER_BYTES) {
    throw dataLoss(`A ${codecId} frame needs at least ${FRAME_HEADER_BYTES} bytes, got ${frame.byteLength}: it is truncated.`, 'TRUNCATED');
  }
  const v = new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES);
  if (!MAGIC.every((b, i) => v.getUint8(i) === b)) {
    throw new DuetError('INVALID_ARGUMENT', `Not a ${codecId} frame: the "DUCF" magic is missing.`, { reason: 'NOT_A_FRAME' });
  }
  if (v.getUint8(4) !== FRAME_VERSION) {
    throw new DuetError('INVALID_ARGUMENT', `A ${codecId} frame has version ${v.getUint8(4)}; this build reads version ${FRAME_VERSION}.`, {
      reason: 'FRAME_VERSION',
    });
  }
  const format = v.getUint8(5);
  if (format !== expected) {
    const name = FORMAT_NAMES.get(format) ?? `unknown format ${format}`;
    throw new DuetError('INVALID_ARGUMENT', `This frame was written by the ${name} codec family, not by ${codecId}.`, { reason: 'CODEC_MISMATCH' });
  }
  const dtype = DTYPES[v.getUint8(6)];
  if (dtype === undefined) throw dataLoss(`A ${codecId} frame names dtype ${v.getUint8(6)}, which does not exist.`, 'BAD_HEADER');
  const high = v.getUint32(12, true);
  if (high >= 2 ** 21) throw dataLoss(`A ${codecId} frame declares an impossible decoded size.`, 'BAD_HEADER');
  return { format: expected, dtype, mode: v.getUint8(7), decodedBytes: v.getUint32(8, true) + high * 2 ** 32, bodyBytes: v.getUint32(16, true) };
}

/**
 * Validates a frame fully: header, declared size against `maxBytes` (RESOURCE_EXHAUSTED),
 * length (DATA_LOSS if truncated or padded), checksum (DATA_LOSS).
 */
export async function openFrame(frame: Uint8Array, expected: FrameFormat, codecId: string, maxBytes: number): Promise<OpenFrame> {
  const h = readFrameHeader(frame, expected, codecId);
  enforceLimit('maxDecodedBytes', h.decodedBytes, maxBytes, `The decoded size a ${codecId} frame declares`);
  const actual = frame.byteLength - FRAME_HEADER_BYTES;
  if (actual !== h.bodyBytes) {
    throw dataLoss(
      `A ${codecId} frame declares a ${h.bodyBytes}-byte body but carries ${actual} bytes: it is ${actual < h.bodyBytes ? 'truncated' : 'padded'}.`,
      actual < h.bodyBytes ? 'TRUNCATED' : 'BAD_LENGTH',
    );
  }
  const body = frame.subarray(FRAME_HEADER_BYTES);
  const sum = await checksum(frame, body);
  if (!sum.every((b, i) => frame[20 + i] === b)) {
    throw dataLoss(`A ${codecId} frame fails its checksum: it was corrupted in transit or storage.`, 'CHECKSUM_MISMATCH');
  }
  return { format: h.format, dtype: h.dtype, mode: h.mode, decodedBytes: h.decodedBytes, body };
}
