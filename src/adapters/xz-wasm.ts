import { code, end, initModule, WasmLzmaStream, type LZMAModule } from 'node-liblzma/wasm';
import { DuetError } from '../errors';
import { XZ_IO_CHUNK_BYTES } from '../codecs/constants';
import type { XzBackend } from '../codecs/xz';

// liblzma compiled to wasm (node-liblzma's Emscripten build): single-threaded, no
// SharedArrayBuffer, so it needs no cross-origin isolation. We drive lzma_code() ourselves,
// chunk by chunk, because that is what gives the decoder an exact output cap.
//
// Loading: on Node the package reads its sibling liblzma.wasm from disk; in a browser its
// glue fetches `new URL('liblzma.wasm', import.meta.url)`. A bundler that moves the glue
// can pass `loadWasm` (e.g. Vite: `import url from 'node-liblzma/wasm/liblzma.wasm?url'`).
// node-liblzma 5.1.3's `/inline` entry is unusable: its embedded wasm does not match the
// glue (LinkError on instantiate), so we do not use it.

const LZMA_RUN = 0;
const LZMA_FINISH = 3;
const LZMA_CHECK_CRC64 = 4;
const LZMA_CONCATENATED = 0x08; // decode every stream of a file, like `xz -d`
const OK = 0;
const STREAM_END = 1;

const MESSAGES: Record<number, [code: 'DATA_LOSS' | 'RESOURCE_EXHAUSTED' | 'INVALID_ARGUMENT' | 'INTERNAL', text: string]> = {
  5: ['RESOURCE_EXHAUSTED', 'liblzma ran out of memory'],
  6: ['RESOURCE_EXHAUSTED', 'the stream needs more decoder memory than the memlimit allows'],
  7: ['DATA_LOSS', 'the data is not in the .xz format'],
  8: ['INVALID_ARGUMENT', 'the stream uses unsupported options'],
  9: ['DATA_LOSS', 'the compressed data is corrupt'],
  10: ['DATA_LOSS', 'the compressed data is truncated'],
  3: ['DATA_LOSS', 'the stream uses an unsupported integrity check'],
};

function lzmaError(ret: number, what: string): DuetError {
  const [code, text] = MESSAGES[ret] ?? (['INTERNAL', `liblzma returned ${ret}`] as const);
  return new DuetError(code, `xz ${what} failed: ${text}.`, { reason: ret === 6 ? 'LIMIT_EXCEEDED' : 'XZ_ERROR', details: { lzmaRet: ret } });
}

export interface WasmXzOptions {
  /** Returns liblzma.wasm's bytes; only needed where the package's own loader cannot find it. */
  loadWasm?: () => Promise<ArrayBuffer | Uint8Array>;
}

let loader: WasmXzOptions['loadWasm'];

async function loadModule(): Promise<LZMAModule> {
  const load = loader;
  if (load === undefined) return initModule();
  return initModule(async () => {
    const { default: createLZMA } = await import('node-liblzma/wasm/liblzma.js');
    return createLZMA({ wasmBinary: await load() });
  });
}

async function withStream<T>(fn: (m: LZMAModule, s: WasmLzmaStream, inPtr: number, outPtr: number) => T): Promise<T> {
  const m = await loadModule();
  const s = new WasmLzmaStream(m);
  const inPtr = m._malloc(XZ_IO_CHUNK_BYTES);
  const outPtr = m._malloc(XZ_IO_CHUNK_BYTES);
  try {
    return fn(m, s, inPtr, outPtr);
  } finally {
    end(s);
    s.free();
    m._free(inPtr);
    m._free(outPtr);
  }
}

/** Copies the next input chunk into the wasm heap; returns the new offset. */
function feed(m: LZMAModule, s: WasmLzmaStream, inPtr: number, src: Uint8Array, offset: number): number {
  const n = Math.min(XZ_IO_CHUNK_BYTES, src.byteLength - offset);
  // HEAPU8 is re-read every time: the heap's ArrayBuffer changes when wasm memory grows.
  m.HEAPU8.set(src.subarray(offset, offset + n), inPtr);
  s.setInput(inPtr, n);
  return offset + n;
}

export function wasmCompress(bytes: Uint8Array, preset: number): Promise<Uint8Array> {
  return withStream((m, s, inPtr, outPtr) => {
    // Called directly rather than through encoderInit(), to map its return code to a DuetError.
    // Presets 8-9 need 370-674 MiB, more than the 256 MiB wasm heap: LZMA_MEM_ERROR.
    const ret0 = m._lzma_easy_encoder(s.ptr, preset, LZMA_CHECK_CRC64);
    if (ret0 !== OK) throw lzmaError(ret0, `compression set-up (preset ${preset})`);
    const parts: Uint8Array[] = [];
    let total = 0;
    let offset = 0;
    for (;;) {
      if (s.availIn === 0 && offset < bytes.byteLength) offset = feed(m, s, inPtr, bytes, offset);
      s.setOutput(outPtr, XZ_IO_CHUNK_BYTES);
      const ret = code(s, offset >= bytes.byteLength ? LZMA_FINISH : LZMA_RUN);
      const produced = XZ_IO_CHUNK_BYTES - s.availOut;
      if (produced > 0) {
        parts.push(m.HEAPU8.slice(outPtr, outPtr + produced));
        total += produced;
      }
      if (ret === STREAM_END) break;
      if (ret !== OK) throw lzmaError(ret, 'compression');
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  });
}

export function wasmDecompress(xz: Uint8Array, cap: number, memlimit: number): Promise<Uint8Array> {
  return withStream((m, s, inPtr, outPtr) => {
    const ret0 = m._lzma_stream_decoder(s.ptr, BigInt(memlimit), LZMA_CONCATENATED);
    if (ret0 !== OK) throw lzmaError(ret0, 'decoder set-up');
    const out = new Uint8Array(cap);
    let written = 0;
    let offset = 0;
    for (;;) {
      if (s.availIn === 0 && offset < xz.byteLength) offset = feed(m, s, inPtr, xz, offset);
      // Never offer more room than is left under the cap, plus one byte to notice overflow.
      const room = Math.min(XZ_IO_CHUNK_BYTES, cap - written + 1);
      s.setOutput(outPtr, room);
      const ret = code(s, offset >= xz.byteLength && s.availIn === 0 ? LZMA_FINISH : LZMA_RUN);
      const produced = room - s.availOut;
      if (written + produced > cap) {
        throw new DuetError('DATA_LOSS', `xz data decodes to more than the ${cap} bytes its index declares; stopped at the cap.`, {
          reason: 'OVER_DECLARED',
        });
      }
      out.set(m.HEAPU8.subarray(outPtr, outPtr + produced), written);
      written += produced;
      if (ret === STREAM_END) break;
      if (ret !== OK) throw lzmaError(ret, 'decompression');
    }
    if (written !== cap) {
      throw new DuetError('DATA_LOSS', `xz data decoded to ${written} bytes, not the ${cap} its index declares.`, { reason: 'BAD_LENGTH' });
    }
    return out;
  });
}

/** The module is a process-wide singleton in node-liblzma, so `loadWasm` applies to the first load. */
export function createWasmXzBackend(options: WasmXzOptions = {}): XzBackend {
  loader ??= options.loadWasm;
  return { name: 'wasm liblzma (node-liblzma)', compress: wasmCompress, decompress: wasmDecompress };
}
