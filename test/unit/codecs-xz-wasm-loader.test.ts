import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { createWasmXzBackend } from '../../src/adapters/xz-wasm';
import { createXzCodec } from '../../src/codecs';

// Its own file, so node-liblzma's module singleton is fresh here (vitest isolates files).

it('CD6: a browser entry can hand the wasm bytes in with loadWasm (bundlers that move the glue)', async () => {
  const wasmPath = createRequire(import.meta.url).resolve('node-liblzma/wasm/liblzma.wasm');
  let loads = 0;
  const codec = createXzCodec(
    createWasmXzBackend({
      loadWasm: async () => {
        loads++;
        return readFile(wasmPath);
      },
    }),
  );
  const bytes = new Uint8Array(10_000).map((_, i) => i % 13);
  expect(Buffer.from(await codec.decode(await codec.encode({ dtype: 'uint8', bytes }))).equals(Buffer.from(bytes))).toBe(true);
  expect(loads).toBe(1);
});
