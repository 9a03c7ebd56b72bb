import lzma from 'lzma-native';
import { DuetError } from '../errors';
import { configuredLimit } from '../limits';
import { XZ_DEFAULT_THREADS, XZ_THREADS_RANGE } from '../codecs/constants';
import type { XzBackend } from '../codecs/xz';
import { wasmDecompress } from './xz-wasm';

// Node only. Compression runs in native liblzma on libuv's thread pool, multi-threaded
// (~2x the wasm build on 2 cores at preset 1). Decompression deliberately uses the wasm
// decoder: lzma-native's stream decodes each input chunk to the end before we see any
// output, so it cannot stop at a cap (measured: a 145 KB bomb with a 1 MiB cap reached
// 956 MB RSS before we could abort). The wasm decoder decodes as fast (measured 95 vs
// 86 MB/s) and stops exactly at the cap.

// lzma-native's compress() returns a promise when given no callback; its DefinitelyTyped
// types only describe the callback form.
const compressAsync = lzma.compress as unknown as (buf: Buffer, options: lzma.LzmaOptions) => Promise<Buffer>;

export interface LzmaNativeOptions {
  threads?: number;
}

export function createLzmaNativeXzBackend(options: LzmaNativeOptions = {}): XzBackend {
  const threads = configuredLimit('threads', options.threads, XZ_DEFAULT_THREADS, XZ_THREADS_RANGE);
  return {
    name: `lzma-native ${lzma.versionString()} (compress) + wasm liblzma (decompress)`,
    async compress(bytes, preset) {
      // A Buffer view, not Buffer.from(typedArray), which would copy.
      const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      try {
        const out = await compressAsync(input, { preset: preset as lzma.Preset, threads });
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      } catch (cause) {
        throw new DuetError('INTERNAL', `xz compression failed: ${String(cause)}`, { cause, reason: 'XZ_ERROR' });
      }
    },
    decompress: wasmDecompress,
  };
}
