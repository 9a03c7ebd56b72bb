import { describe, expect, it } from 'vitest';
import { createLzmaNativeXzBackend } from '../../src/adapters/xz-lzma-native';
import { createWasmXzBackend } from '../../src/adapters/xz-wasm';
import {
  BLOSC_CLEVEL_RANGE,
  BLOSC_MAX_BUFFER_BYTES,
  CODEC_MAX_DECODED_BYTES,
  codecLimits,
  createBloscCodec,
  createQsgdCodec,
  createSparseCodec,
  createTopKCodec,
  createXzCodec,
  DGC_MIN_SAMPLE,
  dgcSelect,
  ERROR_FEEDBACK_MAX_STREAMS,
  SPARSE_ROW_ELEMENTS,
  QSGD_BUCKET_RANGE,
  QSGD_LEVELS_RANGE,
  XZ_DECODER_MEMLIMIT_RANGE,
  XZ_PRESET_RANGE,
  XZ_THREADS_RANGE,
} from '../../src/codecs';
import { xorshift32 } from '../../src/codecs/lossy/random';
import { codeOf as asyncCodeOf, syncCodeOf as codeOf } from '../helpers/errors';

describe('codec limits', () => {
  it('CD10: maxDecodedBytes defaults to CODEC_MAX_DECODED_BYTES and accepts its range edges only', () => {
    expect(codecLimits().maxDecodedBytes).toBe(CODEC_MAX_DECODED_BYTES);
    expect(codeOf(() => codecLimits({ maxDecodedBytes: BLOSC_MAX_BUFFER_BYTES }))).toBe('ok');
    expect(codeOf(() => codecLimits({ maxDecodedBytes: BLOSC_MAX_BUFFER_BYTES + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => codecLimits({ maxDecodedBytes: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('CD10: a configured maxDecodedBytes applies to encoder input and decoder output at the edge', async () => {
    for (const make of [createSparseCodec, createBloscCodec, createTopKCodec]) {
      const codec = make({ maxDecodedBytes: 4000 });
      expect(await asyncCodeOf(codec.encode({ dtype: 'float32', bytes: new Uint8Array(4000) }))).toBe('ok');
      expect(await asyncCodeOf(codec.encode({ dtype: 'float32', bytes: new Uint8Array(4004) }))).toBe('RESOURCE_EXHAUSTED');
      const big = await make().encode({ dtype: 'float32', bytes: new Uint8Array(4004) });
      expect(await asyncCodeOf(codec.decode(big))).toBe('RESOURCE_EXHAUSTED');
      expect(await asyncCodeOf(codec.decode(big, { maxBytes: 4004 }))).toBe('RESOURCE_EXHAUSTED'); // a caller cannot raise the cap
    }
  });

  it('CD10: every other codec setting is validated against its named range', () => {
    const xz = createWasmXzBackend();
    expect(codeOf(() => createXzCodec(xz, { preset: XZ_PRESET_RANGE.max }))).toBe('ok');
    expect(codeOf(() => createXzCodec(xz, { preset: XZ_PRESET_RANGE.max + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createXzCodec(xz, { memlimit: XZ_DECODER_MEMLIMIT_RANGE.max }))).toBe('ok');
    expect(codeOf(() => createXzCodec(xz, { memlimit: XZ_DECODER_MEMLIMIT_RANGE.max + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createXzCodec(xz, { memlimit: XZ_DECODER_MEMLIMIT_RANGE.min - 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createLzmaNativeXzBackend({ threads: XZ_THREADS_RANGE.max }))).toBe('ok');
    expect(codeOf(() => createLzmaNativeXzBackend({ threads: XZ_THREADS_RANGE.max + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createBloscCodec({ clevel: BLOSC_CLEVEL_RANGE.max }))).toBe('ok');
    expect(codeOf(() => createBloscCodec({ clevel: BLOSC_CLEVEL_RANGE.max + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createQsgdCodec({ levels: QSGD_LEVELS_RANGE.max }))).toBe('ok');
    expect(codeOf(() => createQsgdCodec({ levels: QSGD_LEVELS_RANGE.max + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createQsgdCodec({ bucket: QSGD_BUCKET_RANGE.max }))).toBe('ok');
    expect(codeOf(() => createQsgdCodec({ bucket: QSGD_BUCKET_RANGE.max + 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createTopKCodec({ ratio: 1 }))).toBe('ok');
    expect(codeOf(() => createTopKCodec({ ratio: 1.0001 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createTopKCodec({ ratio: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('CD10: ERROR_FEEDBACK_MAX_STREAMS streams are kept; one more is RESOURCE_EXHAUSTED', async () => {
    const codec = createTopKCodec();
    const bytes = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    for (let s = 0; s < ERROR_FEEDBACK_MAX_STREAMS; s++) await codec.encode({ dtype: 'float32', bytes, stream: `s${s}` });
    expect(await asyncCodeOf(codec.encode({ dtype: 'float32', bytes, stream: 's0' }))).toBe('ok');
    expect(await asyncCodeOf(codec.encode({ dtype: 'float32', bytes, stream: 'one-more' }))).toBe('RESOURCE_EXHAUSTED');
    const few = createTopKCodec({ maxStreams: 1 });
    await few.encode({ dtype: 'float32', bytes, stream: 'a' });
    expect(await asyncCodeOf(few.encode({ dtype: 'float32', bytes, stream: 'b' }))).toBe('RESOURCE_EXHAUSTED');
  });
});

describe('format and tuning constants at their edges', () => {
  it('CD10: DGC samples only past DGC_MIN_SAMPLE elements', () => {
    const v = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    expect(dgcSelect(v(DGC_MIN_SAMPLE), 10, xorshift32(1)).sampled).toBe(false);
    expect(dgcSelect(v(DGC_MIN_SAMPLE + 1), 10, xorshift32(1)).sampled).toBe(true);
  });

  it('CD8: CSR rows hold SPARSE_ROW_ELEMENTS elements; one more starts a second row', async () => {
    const codec = createSparseCodec();
    for (const n of [SPARSE_ROW_ELEMENTS, SPARSE_ROW_ELEMENTS + 1]) {
      const a = new Int16Array(n);
      for (let i = 0; i < n; i += 50) a[i] = 7;
      a[n - 1] = 9;
      const bytes = new Uint8Array(a.buffer);
      const frame = await codec.encode({ dtype: 'int16', bytes });
      expect(frame[7]).toBe(3); // csr
      expect(Buffer.from(await codec.decode(frame)).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});
