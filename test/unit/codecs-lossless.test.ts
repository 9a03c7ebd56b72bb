import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLzmaNativeXzBackend } from '../../src/adapters/xz-lzma-native';
import { createWasmXzBackend, wasmCompress } from '../../src/adapters/xz-wasm';
import {
  BLOSC_MODE,
  createBloscCodec,
  createSparseCodec,
  createXzCodec,
  SPARSE_MODE,
  SPARSE_ROW_ELEMENTS,
  sparseSizes,
  xzDeclaredSize,
} from '../../src/codecs';
import { byteShuffle, byteUnshuffle, joinWords8, splitWords8 } from '../../src/codecs/shuffle';
import type { DType } from '../../src/tensor';
import { outcome as codeOf } from '../helpers/errors';
import { payload } from '../helpers/payloads';

const modeOf = (frame: Uint8Array) => frame[7];
const frameDecodedBytes = (frame: Uint8Array) => new DataView(frame.buffer, frame.byteOffset).getUint32(8, true);

describe('byte shuffles', () => {
  it.each([1, 2, 4, 8, 3])('CD7: byteUnshuffle inverts byteShuffle for width %i', (w) => {
    const src = Uint8Array.from({ length: w * 1001 }, (_, i) => (i * 7919) & 0xff);
    const s = byteShuffle(src, w);
    // Byte j of element i lands in plane j.
    expect(s[1001 * (w - 1) + 5]).toBe(src[5 * w + (w - 1)]);
    expect(Buffer.from(byteUnshuffle(s, w)).equals(Buffer.from(src))).toBe(true);
  });

  it('CD7: joinWords8 inverts splitWords8, also on misaligned input', () => {
    const src = Uint8Array.from({ length: 8 * 513 }, (_, i) => (i * 31) & 0xff);
    const odd = new Uint8Array(src.byteLength + 1);
    odd.set(src, 1);
    for (const input of [src, odd.subarray(1)]) {
      expect(Buffer.from(joinWords8(splitWords8(input))).equals(Buffer.from(src))).toBe(true);
    }
  });
});

describe('blosc', () => {
  const codec = createBloscCodec({ shuffle: 'on' });

  it.each<[DType, number]>([
    ['uint8', BLOSC_MODE.plain],
    ['bool', BLOSC_MODE.plain],
    ['float16', BLOSC_MODE.shuffle2],
    ['int16', BLOSC_MODE.shuffle2],
    ['float32', BLOSC_MODE.shuffle4],
    ['int32', BLOSC_MODE.shuffle4],
    ['float64', BLOSC_MODE.shuffle8],
    ['int64', BLOSC_MODE.shuffle8],
  ])('CD7: shuffles %s by its own width (mode %i) and round-trips exactly', async (dtype, mode) => {
    const bytes = payload(dtype, 50_000, 'smooth');
    const frame = await codec.encode({ dtype, bytes });
    expect(modeOf(frame)).toBe(mode);
    expect(Buffer.from(await codec.decode(frame)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('CD7: an 8-byte shuffle beats blosc\'s fixed 4-byte one on smooth float64', async () => {
    const bytes = payload('float64', 200_000, 'smooth');
    const own = await createBloscCodec({ shuffle: 'on' }).encode({ dtype: 'float64', bytes });
    // What you get by trusting the wasm's typesize-4 shuffle for float64: treat it as 4-byte data.
    const naive = await createBloscCodec({ shuffle: 'on' }).encode({ dtype: 'float32', bytes });
    expect(own.byteLength).toBeLessThan(naive.byteLength);
  });

  it('CD7: auto mode keeps the smaller of shuffled and plain (MNIST-like zeros favour plain)', async () => {
    const auto = createBloscCodec();
    const img = new Float32Array(300_000);
    for (let i = 0; i < img.length; i++) img[i] = i % 28 > 6 && i % 28 < 20 && (i >> 5) % 3 === 0 ? ((i * 37) % 255) / 255 : 0;
    const bytes = new Uint8Array(img.buffer);
    const frame = await auto.encode({ dtype: 'float32', bytes });
    const plain = await createBloscCodec({ shuffle: 'off' }).encode({ dtype: 'float32', bytes });
    const shuffled = await createBloscCodec({ shuffle: 'on' }).encode({ dtype: 'float32', bytes });
    expect(frame.byteLength).toBe(Math.min(plain.byteLength, shuffled.byteLength));
    expect(Buffer.from(await auto.decode(frame)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('CD3: refuses a frame whose blosc header disagrees with the declared size (before blosc runs)', async () => {
    const frame = await codec.encode({ dtype: 'float32', bytes: payload('float32', 1000, 'smooth') });
    // Rewrite the declared size and fix the checksum, as a hostile sender could.
    const { allocFrame, sealFrame } = await import('../../src/codecs/frame');
    const { frame: forged, body } = allocFrame(frame.byteLength - 24);
    body.set(frame.subarray(24));
    await sealFrame(forged, { format: 1, dtype: 'float32', mode: 1, decodedBytes: 1_000_000 });
    expect(await codeOf(codec.decode(forged))).toBe('DATA_LOSS:BAD_HEADER');
  });
});

describe('sparse', () => {
  const codec = createSparseCodec();

  function withDensity(n: number, nnz: number): Uint8Array {
    const a = new Float32Array(n);
    for (let j = 0; j < nnz; j++) a[Math.floor((j * n) / nnz)] = j + 1;
    return new Uint8Array(a.buffer);
  }

  it.each<[string, number, number, keyof typeof SPARSE_MODE]>([
    ['one non-zero in 1000', 1000, 1, 'coo'],
    ['1% of 200k', 200_000, 2000, 'csr'],
    ['10% of 200k', 200_000, 20_000, 'bitmap'],
    ['90% of 10k (1 bit per zero still pays)', 10_000, 9000, 'bitmap'],
    ['99.5% of 10k', 10_000, 9950, 'dense'],
  ])('CD8: picks the smallest layout: %s', async (_, n, nnz, expected) => {
    const bytes = withDensity(n, nnz);
    const frame = await codec.encode({ dtype: 'float32', bytes });
    const sizes = sparseSizes(n, 4, nnz);
    expect(modeOf(frame)).toBe(SPARSE_MODE[expected]);
    expect(frame.byteLength - 24).toBe(Math.min(...Object.values(sizes)));
    expect(Buffer.from(await codec.decode(frame)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('CD1: keeps -0.0 and NaN payload bits (zero means all bits zero)', async () => {
    const a = new Float32Array(1000);
    a[3] = -0;
    a[500] = NaN;
    const bytes = new Uint8Array(a.buffer);
    const out = await codec.decode(await codec.encode({ dtype: 'float32', bytes }));
    expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
  });

  it('CD8: CSR rows span 65,536 elements', async () => {
    const n = SPARSE_ROW_ELEMENTS * 3 + 5;
    const a = new Uint16Array(n);
    for (let i = 0; i < n; i += 97) a[i] = i & 0xffff || 1;
    const bytes = new Uint8Array(a.buffer);
    const frame = await codec.encode({ dtype: 'int16', bytes });
    expect(modeOf(frame)).toBe(SPARSE_MODE.csr);
    expect(Buffer.from(await codec.decode(frame)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('xz', () => {
  const codec = createXzCodec(createWasmXzBackend());

  it('CD2: reads the declared size from the stream index, also across concatenated streams', async () => {
    const a = await wasmCompress(new Uint8Array(1000).fill(7), 1);
    const b = await wasmCompress(new Uint8Array(234).fill(9), 1);
    const both = new Uint8Array(a.byteLength + 4 + b.byteLength); // 4 bytes of stream padding between
    both.set(a, 0);
    both.set(b, a.byteLength + 4);
    expect(xzDeclaredSize(a)).toBe(1000);
    expect(xzDeclaredSize(both)).toBe(1234);
    const out = await codec.decode(both);
    expect(out.byteLength).toBe(1234);
    expect(out[999]).toBe(7);
    expect(out[1000]).toBe(9);
  });

  it('CD3: a decompression bomb is refused from its index before any decoding', async () => {
    const bomb = await wasmCompress(new Uint8Array(64 * 1024 * 1024), 1);
    expect(bomb.byteLength).toBeLessThan(20_000);
    expect(await codeOf(codec.decode(bomb, { maxBytes: 1024 * 1024 }))).toBe('RESOURCE_EXHAUSTED:LIMIT_EXCEEDED');
  });

  it('CD3: an index that understates the size stops the decoder at the declared size', async () => {
    const xz = await wasmCompress(new Uint8Array(100_000).fill(1), 1);
    // Rewrite the one index record's uncompressed size (a 3-byte varint) to 50,000 and fix the index CRC32.
    const footer = xz.byteLength - 12;
    const indexBytes = (new DataView(xz.buffer).getUint32(footer + 4, true) + 1) * 4;
    const index = footer - indexBytes;
    const forged = xz.slice();
    let p = index + 2; // indicator, record count (1 byte)
    while (forged[p]! & 0x80) p++; // skip the unpadded-size varint
    p++;
    expect([forged[p]!, forged[p + 1]!, forged[p + 2]!]).toEqual([0xa0, 0x8d, 0x06]); // 100,000
    forged.set([0xd0, 0x86, 0x03], p); // 50,000
    new DataView(forged.buffer).setUint32(footer - 4, crc32(forged.subarray(index, footer - 4)), true);
    expect(xzDeclaredSize(forged)).toBe(50_000);
    expect(await codeOf(codec.decode(forged))).toBe('DATA_LOSS:OVER_DECLARED');
  });

  it('CD10: a stream needing more decoder memory than memlimit is RESOURCE_EXHAUSTED', async () => {
    // Native liblzma, since preset 9's encoder (~674 MiB) does not fit the wasm heap (256 MiB).
    const xz = await createLzmaNativeXzBackend().compress(payload('float32', 1000, 'random'), 9); // 64 MiB dictionary
    const small = createXzCodec(createWasmXzBackend(), { memlimit: 1024 * 1024 });
    expect(await codeOf(small.decode(xz))).toBe('RESOURCE_EXHAUSTED:LIMIT_EXCEEDED');
    expect((await codec.decode(xz)).byteLength).toBe(4000);
  });

  it('CD10: the wasm encoder refuses a preset its heap cannot hold with RESOURCE_EXHAUSTED', async () => {
    expect(await codeOf(wasmCompress(new Uint8Array(10), 9))).toBe('RESOURCE_EXHAUSTED:XZ_ERROR');
  });

  it('CD4: garbage that is not xz is INVALID_ARGUMENT, not a crash', async () => {
    expect(await codeOf(codec.decode(new Uint8Array(100).fill(3)))).toBe('INVALID_ARGUMENT:NOT_A_FRAME');
  });
});

describe('frames', () => {
  it('CD4: a frame of another codec family is INVALID_ARGUMENT naming both', async () => {
    const frame = await createSparseCodec().encode({ dtype: 'float32', bytes: payload('float32', 100, 'sparse') });
    const blosc = createBloscCodec();
    expect(await codeOf(blosc.decode(frame))).toBe('INVALID_ARGUMENT:CODEC_MISMATCH');
    await blosc.decode(frame).catch((e: Error) => expect(e.message).toMatch(/sparse.*blosc-lz4/));
  });

  it('CD3: decoding with maxBytes from the tensor shape refuses a frame that declares a different size', async () => {
    const frame = await createSparseCodec().encode({ dtype: 'float32', bytes: payload('float32', 100, 'sparse') });
    expect(await codeOf(createSparseCodec().decode(frame, { maxBytes: 399 }))).toBe('RESOURCE_EXHAUSTED:LIMIT_EXCEEDED');
    expect(await codeOf(createSparseCodec().decode(frame, { maxBytes: 400 }))).toBe('resolved');
  });
});
