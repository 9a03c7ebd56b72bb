import { DuetError } from '../errors';
import { configuredLimit, enforceLimit } from '../limits';
import type { Codec } from './codec';
import { checkEncodeInput, decodeCap } from './caps';
import {
  codecLimits,
  XZ_DECODER_MEMLIMIT_BYTES,
  XZ_DECODER_MEMLIMIT_RANGE,
  XZ_DEFAULT_PRESET,
  XZ_PRESET_RANGE,
  type CodecLimitSettings,
} from './constants';
import { xzDeclaredSize } from './xz-index';

// xz (LZMA2) with a frame that is a plain .xz file, so `xz -d` reads what we send and we
// read what `xz -z` writes. liblzma comes from a runtime-specific backend picked by the
// entry point (src/adapters): native lzma-native or wasm liblzma. This module is portable.

export interface XzBackend {
  /** For docs, logs and benchmarks, e.g. "lzma-native 5.2.3 + wasm liblzma 5.8.4". */
  readonly name: string;
  compress(bytes: Uint8Array, preset: number): Promise<Uint8Array>;
  /**
   * Decodes a whole .xz file (concatenated streams allowed) into exactly `cap` bytes.
   * Must stop, with DATA_LOSS, as soon as the output would pass `cap`, and never hold
   * more than `cap` bytes of output; fewer than `cap` bytes is DATA_LOSS too.
   */
  decompress(xz: Uint8Array, cap: number, memlimit: number): Promise<Uint8Array>;
}

export interface XzOptions extends CodecLimitSettings {
  preset?: number;
  /** liblzma decoder memory limit (bytes); defaults to XZ_DECODER_MEMLIMIT_BYTES. */
  memlimit?: number;
}

export function createXzCodec(backend: XzBackend, options: XzOptions = {}): Codec {
  const limits = codecLimits(options);
  const preset = configuredLimit('preset', options.preset, XZ_DEFAULT_PRESET, XZ_PRESET_RANGE);
  const memlimit = configuredLimit('memlimit', options.memlimit, XZ_DECODER_MEMLIMIT_BYTES, XZ_DECODER_MEMLIMIT_RANGE);
  return {
    id: 'xz',
    kind: 'lossless',
    accepts: () => true,
    async encode({ bytes }) {
      checkEncodeInput('xz', bytes, limits);
      return backend.compress(bytes, preset);
    },
    async decode(frame, decodeOptions) {
      const declared = xzDeclaredSize(frame);
      enforceLimit('maxDecodedBytes', declared, decodeCap(limits, decodeOptions), 'The decoded size an xz frame declares');
      const out = await backend.decompress(frame, declared, memlimit);
      if (out.byteLength !== declared) {
        throw new DuetError('DATA_LOSS', `An xz frame decoded to ${out.byteLength} bytes, not the ${declared} its index declares.`, { reason: 'BAD_LENGTH' });
      }
      return out;
    },
    declaredSize: xzDeclaredSize,
  };
}
