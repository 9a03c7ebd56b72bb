import Blosc from 'numcodecs/blosc';
import { DuetError } from '../errors';
import { configuredLimit } from '../limits';
import { bytesPerElement, type DType } from '../tensor';
import type { Codec } from './codec';
import { checkEncodeInput, checkWholeElements, decodeCap } from './caps';
import { BLOSC_CLEVEL_RANGE, BLOSC_DEFAULT_CLEVEL, BLOSC_SHUFFLE_SAMPLE_BYTES, codecLimits, type CodecLimitSettings } from './constants';
import { FRAME_FORMAT, frameOf, openFrame, readFrameHeader } from './frame';
import { byteShuffle, byteUnshuffle, joinWords8, splitWords8 } from './shuffle';

// c-blosc through numcodecs' wasm build (inline wasm, no SharedArrayBuffer, same code in
// browsers and Node). Frame body = one blosc chunk; mode = how the bytes were shuffled.

export type BloscCname = 'lz4' | 'zstd' | 'blosclz' | 'lz4hc' | 'zlib';

export const BLOSC_MODE = {
  /** bytes as they are, blosc NOSHUFFLE */
  plain: 0,
  /** blosc's own SHUFFLE: right for 4-byte elements, since its typesize is 4 */
  shuffle4: 1,
  /** JS byte shuffle of 2-byte elements, then NOSHUFFLE */
  shuffle2: 2,
  /** low/high word planes of 8-byte elements, then blosc SHUFFLE (= an 8-byte shuffle) */
  shuffle8: 3,
} as const;
type Mode = (typeof BLOSC_MODE)[keyof typeof BLOSC_MODE];

const NOSHUFFLE = 0;
const SHUFFLE = 1;
const BLOSC_HEADER_BYTES = 16;

export interface BloscOptions extends CodecLimitSettings {
  cname?: BloscCname;
  clevel?: number;
  /** 'auto' (default) measures shuffled vs plain on a sample; 'off' never shuffles; 'on' always does for widths > 1. */
  shuffle?: 'auto' | 'on' | 'off';
}

function candidates(dtype: DType): Mode[] {
  switch (bytesPerElement(dtype)) {
    case 2:
      return [BLOSC_MODE.shuffle2, BLOSC_MODE.plain];
    case 4:
      return [BLOSC_MODE.shuffle4, BLOSC_MODE.plain];
    case 8:
      return [BLOSC_MODE.shuffle8, BLOSC_MODE.plain];
    default:
      return [BLOSC_MODE.plain];
  }
}

function prepare(mode: Mode, bytes: Uint8Array): Uint8Array {
  if (mode === BLOSC_MODE.shuffle2) return byteShuffle(bytes, 2);
  if (mode === BLOSC_MODE.shuffle8) return splitWords8(bytes);
  return bytes;
}

function restore(mode: number, bytes: Uint8Array): Uint8Array {
  if (mode === BLOSC_MODE.shuffle2) return byteUnshuffle(bytes, 2);
  if (mode === BLOSC_MODE.shuffle8) return joinWords8(bytes);
  return bytes;
}

/** Evenly spaced slices of the payload, 64-byte aligned so every element width divides them. */
function sampleOf(bytes: Uint8Array, size: number): Uint8Array {
  const slices = 4;
  const slice = Math.floor(size / slices / 64) * 64;
  const out = new Uint8Array(slice * slices);
  const stride = Math.floor((bytes.byteLength - slice) / (slices - 1) / 64) * 64;
  for (let s = 0; s < slices; s++) out.set(bytes.subarray(s * stride, s * stride + slice), s * slice);
  return out;
}

export function createBloscCodec(options: BloscOptions = {}): Codec {
  const limits = codecLimits(options);
  const cname = options.cname ?? 'lz4';
  const clevel = configuredLimit('clevel', options.clevel, BLOSC_DEFAULT_CLEVEL, BLOSC_CLEVEL_RANGE);
  const shuffle = options.shuffle ?? 'auto';
  const id = `blosc-${cname}`;
  // fromConfig, not the constructor: `new Blosc(clevel, cname, shuffle, blocksize)` is positional.
  const plainCodec = Blosc.fromConfig({ id: 'blosc', cname, clevel, shuffle: NOSHUFFLE, blocksize: 0 });
  const shuffleCodec = Blosc.fromConfig({ id: 'blosc', cname, clevel, shuffle: SHUFFLE, blocksize: 0 });
  const compress = (mode: Mode, bytes: Uint8Array) =>
    Promise.resolve((mode === BLOSC_MODE.shuffle4 || mode === BLOSC_MODE.shuffle8 ? shuffleCodec : plainCodec).encode(prepare(mode, bytes)));

  return {
    id,
    kind: 'lossless',
    accepts: () => true,
    async encode({ dtype, bytes }) {
      checkEncodeInput(id, bytes, limits);
      checkWholeElements(id, bytes, bytesPerElement(dtype));
      let modes = candidates(dtype);
      if (shuffle === 'off') modes = [BLOSC_MODE.plain];
      if (shuffle === 'on') modes = modes.slice(0, 1);
      let mode = modes[0]!;
      let body: Uint8Array | undefined;
      if (modes.length > 1) {
        if (bytes.byteLength <= BLOSC_SHUFFLE_SAMPLE_BYTES) {
          // Small enough to compress every way and keep the smallest.
          for (const m of modes) {
            const c = await compress(m, bytes);
            if (body === undefined || c.byteLength < body.byteLength) [mode, body] = [m, c];
          }
        } else {
          const sample = sampleOf(bytes, BLOSC_SHUFFLE_SAMPLE_BYTES);
          let best = Infinity;
          for (const m of modes) {
            const size = (await compress(m, sample)).byteLength;
            if (size < best) [mode, best] = [m, size];
          }
        }
      }
      body ??= await compress(mode, bytes);
      return frameOf({ format: FRAME_FORMAT.blosc, dtype, mode, decodedBytes: bytes.byteLength }, body);
    },
    async decode(frame, decodeOptions) {
      const f = await openFrame(frame, FRAME_FORMAT.blosc, id, decodeCap(limits, decodeOptions));
      const v = new DataView(f.body.buffer, f.body.byteOffset, f.body.byteLength);
      // blosc trusts its own header for the output size, so check it before blosc sees it.
      if (f.body.byteLength < BLOSC_HEADER_BYTES || v.getUint32(4, true) !== f.decodedBytes || v.getUint32(12, true) !== f.body.byteLength) {
        throw new DuetError('DATA_LOSS', `A ${id} frame's blosc header disagrees with the frame (sizes do not match).`, { reason: 'BAD_HEADER' });
      }
      // The mode must be one this dtype's encoder could have chosen, over whole elements:
      // un-shuffling 8-byte planes of a 4002-byte body would silently drop bytes.
      const width = bytesPerElement(f.dtype);
      if (!candidates(f.dtype).includes(f.mode as Mode) || f.decodedBytes % width !== 0) {
        throw new DuetError('DATA_LOSS', `A ${id} frame names shuffle mode ${f.mode} for ${f.decodedBytes} bytes of ${f.dtype}, which no encoder writes.`, {
          reason: 'BAD_HEADER',
        });
      }
      let out: Uint8Array;
      try {
        out = await plainCodec.decode(f.body);
      } catch (cause) {
        throw new DuetError('DATA_LOSS', `blosc could not decompress a ${id} frame: ${String(cause)}`, { reason: 'CORRUPT', cause });
      }
      if (out.byteLength !== f.decodedBytes) {
        throw new DuetError('DATA_LOSS', `A ${id} frame decoded to ${out.byteLength} bytes, not the ${f.decodedBytes} it declares.`, { reason: 'BAD_LENGTH' });
      }
      return restore(f.mode, out);
    },
    declaredSize: (frame) => readFrameHeader(frame, FRAME_FORMAT.blosc, id).decodedBytes,
  };
}
