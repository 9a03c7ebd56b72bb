import { describe, expect, it } from 'vitest';
import { registerNodeCodecs } from '../../src/adapters/node-codecs';
import { allocFrame, FRAME_FORMAT, FRAME_HEADER_BYTES, sealFrame } from '../../src/codecs/frame';
import { isDuetError } from '../../src/errors';
import { DTYPES } from '../../src/tensor';
import { payload, prng } from '../helpers/payloads';

// A hostile peer can compute the checksum too. Frames with a valid checksum but mutated
// headers and bodies must still end in a DuetError or in exactly the declared bytes,
// never in a RangeError, a hang or a wasm abort (CD3, CD5).

const registry = registerNodeCodecs();
const framed: [string, number][] = [
  ['blosc-lz4', FRAME_FORMAT.blosc],
  ['sparse', FRAME_FORMAT.sparse],
  ['topk', FRAME_FORMAT.topk],
  ['randomk', FRAME_FORMAT.randomk],
  ['dgc', FRAME_FORMAT.dgc],
  ['qsgd', FRAME_FORMAT.qsgd],
];

describe.each(framed)('forged %s frames', (id, format) => {
  it('CD5: a validly checksummed but mutated frame is a DuetError or exactly the declared size', async () => {
    const codec = registry.get(id);
    const r = prng(format * 7919);
    const base = await codec.encode({ dtype: 'float32', bytes: payload('float32', 3000, 'sparse') });
    for (let trial = 0; trial < 150; trial++) {
      const body = base.slice(FRAME_HEADER_BYTES);
      for (let flips = 1 + Math.floor(r() * 4); flips > 0; flips--) body[Math.floor(r() * body.length)] = Math.floor(r() * 256);
      const { frame, body: dst } = allocFrame(body.length);
      dst.set(body);
      const dtype = r() < 0.7 ? 'float32' : DTYPES[Math.floor(r() * DTYPES.length)]!;
      const decodedBytes = r() < 0.7 ? 12_000 : Math.floor(r() * 20_000);
      await sealFrame(frame, { format: format as 1, dtype, mode: r() < 0.7 ? base[7]! : Math.floor(r() * 6), decodedBytes });
      try {
        const out = await codec.decode(frame);
        expect(out.byteLength).toBe(decodedBytes);
      } catch (e) {
        expect(isDuetError(e), `trial ${trial}: ${String(e)}`).toBe(true);
      }
    }
  });
});

describe('forged blosc modes', () => {
  it('CD5: a shuffle mode that does not fit the dtype or size is DATA_LOSS, not a RangeError', async () => {
    const codec = registry.get('blosc-lz4');
    const base = await codec.encode({ dtype: 'uint8', bytes: payload('uint8', 4002, 'smooth') });
    for (const [dtype, mode] of [['uint8', 3], ['uint8', 2], ['float64', 3], ['float32', 2]] as const) {
      const { frame, body } = allocFrame(base.length - FRAME_HEADER_BYTES);
      body.set(base.subarray(FRAME_HEADER_BYTES));
      await sealFrame(frame, { format: FRAME_FORMAT.blosc, dtype, mode, decodedBytes: 4002 });
      const e = await codec.decode(frame).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isDuetError(e) && e.code === 'DATA_LOSS', `${dtype} mode ${mode}: ${String(e)}`).toBe(true);
    }
  });
});
