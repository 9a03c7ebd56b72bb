import { describe, expect, it } from 'vitest';
import { registerBrowserCodecs } from '../../src/adapters/browser-codecs';
import { registerNodeCodecs } from '../../src/adapters/node-codecs';
import { isLossy, type Codec } from '../../src/codecs';
import { isDuetError } from '../../src/errors';
import { ALL_DTYPES, misaligned, payload, type Shape } from '../helpers/payloads';

// One suite, run against every registered codec of both entry points' registries (STYLE 10).
// Lossy codecs get their own stricter tests in codecs-lossy.test.ts; here they meet the
// frame rules (CD2-CD5) that every codec shares.

const node = registerNodeCodecs();
const browser = registerBrowserCodecs();
const all: [string, Codec][] = [
  ...node.list().map((c): [string, Codec] => [`node/${c.id}`, c]),
  ...browser.list().map((c): [string, Codec] => [`browser/${c.id}`, c]),
];

const SHAPES: Shape[] = ['smooth', 'sparse', 'random', 'zeros', 'edges'];

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(isDuetError(e), `expected a DuetError, got ${String(e)}`).toBe(true);
    return e as { code: string; message: string };
  }
  throw new Error('expected the promise to reject');
}

describe.each(all)('codec compliance: %s', (_, codec) => {
  const dtypes = ALL_DTYPES.filter((d) => codec.accepts(d));

  it('CD9: has a valid id and kind', () => {
    expect(codec.id).toMatch(/^[a-z][a-z0-9-]{0,31}$/);
    expect(['lossless', 'lossy']).toContain(codec.kind);
  });

  if (!isLossy(codec)) {
    it.each(dtypes.flatMap((d) => SHAPES.map((s) => [d, s] as const)))('CD1: lossless codecs round-trip %s %s exactly', async (dtype, shape) => {
      const bytes = payload(dtype, 3001, shape);
      const copy = bytes.slice();
      const frame = await codec.encode({ dtype, bytes });
      expect(Buffer.from(bytes).equals(Buffer.from(copy)), 'CD11: input unchanged').toBe(true);
      const out = await codec.decode(frame);
      expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
    });

    it('CD1: round-trips empty input and misaligned views', async () => {
      for (const dtype of dtypes) {
        expect((await codec.decode(await codec.encode({ dtype, bytes: new Uint8Array(0) }))).byteLength).toBe(0);
        const bytes = payload(dtype, 777, 'sparse');
        const out = await codec.decode(await codec.encode({ dtype, bytes: misaligned(bytes) }));
        expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
      }
    });
  }

  it('CD2: declaredSize reads the decoded size without decoding', async () => {
    for (const dtype of dtypes) {
      const bytes = payload(dtype, 1000, 'smooth');
      const frame = await codec.encode({ dtype, bytes });
      expect(codec.declaredSize(frame)).toBe(bytes.byteLength);
      expect((await codec.decode(frame)).byteLength).toBe(bytes.byteLength);
    }
  });

  it('CD3: a frame declaring more than the cap is RESOURCE_EXHAUSTED; at the cap it decodes', async () => {
    const dtype = dtypes[0]!;
    const bytes = payload(dtype, 4096, 'smooth');
    const frame = await codec.encode({ dtype, bytes });
    expect((await codec.decode(frame, { maxBytes: bytes.byteLength })).byteLength).toBe(bytes.byteLength);
    const e = await rejection(codec.decode(frame, { maxBytes: bytes.byteLength - 1 }));
    expect(e.code).toBe('RESOURCE_EXHAUSTED');
    expect(e.message).toContain('maxDecodedBytes');
  });

  if (codec.id !== 'none') {
    it('CD4: a truncated frame is refused with a clear DuetError', async () => {
      const dtype = dtypes[0]!;
      const frame = await codec.encode({ dtype, bytes: payload(dtype, 4096, 'sparse') });
      for (const keep of [0, 5, 23, Math.floor(frame.byteLength / 2), frame.byteLength - 1]) {
        const e = await rejection(codec.decode(frame.slice(0, keep)));
        expect(['DATA_LOSS', 'INVALID_ARGUMENT']).toContain(e.code);
      }
    });

    it('CD5: a corrupted frame is refused, never decoded to other bytes', async () => {
      const dtype = dtypes[dtypes.length - 1]!;
      const bytes = payload(dtype, 2048, 'smooth');
      const frame = await codec.encode({ dtype, bytes });
      const step = Math.max(1, Math.floor(frame.byteLength / 40));
      for (let pos = 0; pos < frame.byteLength; pos += step) {
        const bad = frame.slice();
        bad[pos] = bad[pos]! ^ 0x10;
        const e = await rejection(codec.decode(bad));
        expect(['DATA_LOSS', 'INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED']).toContain(e.code);
      }
    });
  }
});
