import { describe, expect, it } from 'vitest';
import { type Codec, CodecRegistry, createBloscCodec, createNoneCodec, createSparseCodec, createTopKCodec } from '../../src/codecs';
import { payload } from '../helpers/payloads';
import { capabilitiesOf, CodecCostModel, negotiate, PayloadMemory, probedPath, type NegotiateInput } from '../../src/negotiator';

function counting(codec: Codec): Codec & { encodes: number } {
  const c = {
    ...codec,
    encodes: 0,
    encode: async (i: Parameters<Codec['encode']>[0]) => {
      c.encodes++;
      return codec.encode(i);
    },
  };
  return c;
}

const MB = 1e6;
const blosc = counting(createBloscCodec());
const sparse = counting(createSparseCodec());
const topkInner = createTopKCodec();
const topk = counting(topkInner);
const registry = new CodecRegistry().register(createNoneCodec()).register(blosc).register(sparse).register(topk);
const costs = new CodecCostModel()
  .set('blosc-lz4', 'float32', { encodeBps: 130 * MB, decodeBps: 480 * MB })
  .set('sparse', 'float32', { encodeBps: 300 * MB, decodeBps: 1000 * MB })
  .set('topk', 'float32', { encodeBps: 140 * MB, decodeBps: 1800 * MB });

const bytes = payload('float32', 1 << 20, 'sparse'); // 10% random non-zeros

function args(extra: Partial<NegotiateInput> = {}): NegotiateInput {
  const caps = capabilitiesOf(registry, ['arrow-flight', 'webrtc']);
  return {
    registry,
    local: caps,
    remote: caps,
    costs,
    links: { 'arrow-flight': probedPath('arrow-flight', 0.1, 600 * MB) },
    dtype: 'float32',
    bytes,
    lossyConsent: false,
    ...extra,
  };
}

describe('negotiate()', () => {
  it('NG7: on a loopback-speed link it samples nothing and sends raw', async () => {
    const before = blosc.encodes + sparse.encodes + topk.encodes;
    const c = await negotiate(args());
    expect(c.codec).toBe('none');
    expect(c.sampled).toEqual([]);
    expect(blosc.encodes + sparse.encodes + topk.encodes).toBe(before);
  });

  it('NG3: on a slow link it samples the candidates and picks sparse for 90%-sparse data', async () => {
    const c = await negotiate(args({ links: { 'arrow-flight': probedPath('arrow-flight', 50, 2e6 / 8) } }));
    expect(c.sampled).toEqual(['blosc-lz4', 'sparse']);
    expect(c.codec).toBe('sparse');
  });

  it('NG2: lossy codecs are neither sampled nor picked without gradient and consent', async () => {
    const slow = { 'arrow-flight': probedPath('arrow-flight', 50, 2e6 / 8) };
    expect((await negotiate(args({ links: slow, gradient: true }))).sampled).not.toContain('topk');
    expect((await negotiate(args({ links: slow, lossyConsent: true }))).sampled).not.toContain('topk');
    const c = await negotiate(args({ links: slow, gradient: true, lossyConsent: ['topk'] }));
    expect(c.codec).toBe('topk');
    expect(topkInner.residual('')).toBeUndefined();
  });

  it('NG1: a codec the receiver lacks is never sampled or picked; paths need an estimate', async () => {
    const remote = { encode: ['none', 'blosc-lz4'], decode: ['none', 'blosc-lz4'], paths: ['webrtc' as const, 'arrow-flight' as const] };
    const c = await negotiate(args({ remote, links: { 'arrow-flight': probedPath('arrow-flight', 50, 2e6 / 8) } }));
    expect(c.codec).toBe('blosc-lz4');
    expect(c.sampled).toEqual(['blosc-lz4']);
    expect(c.ranked.every((r) => r.path === 'arrow-flight')).toBe(true);
  });
});

describe('lossy codecs need no sample', () => {
  const link200 = { 'arrow-flight': probedPath('arrow-flight', 5, 25 * MB) };

  it('NG24: with no time to sample anything, a gradient still ranks top-k by its frame size, and picks it over raw', async () => {
    const before = topk.encodes;
    const d = await negotiate(args({ links: link200, gradient: true, lossyConsent: true, sampleCosts: true, sampleBudgetShare: 1e-6 }));
    expect(d.sampled).toEqual([]);
    expect(topk.encodes).toBe(before); // top-k never ran on the payload
    const c = d.ranked.find((x) => x.codec === 'topk');
    expect(c?.ratio).toBeCloseTo(bytes.byteLength / topkInner.frameBytes('float32', bytes.byteLength), 9);
    expect(d.codec).toBe('topk');
  });

  it('NG24: without consent or for a non-gradient, no frame-size ratio makes a lossy codec a candidate', async () => {
    for (const extra of [{ gradient: true, lossyConsent: false }, { gradient: false, lossyConsent: true }] as const) {
      const d = await negotiate(args({ links: link200, sampleCosts: true, sampleBudgetShare: 1e-6, ...extra }));
      expect(d.ranked.map((x) => x.codec)).not.toContain('topk');
    }
  });

  it('NG25: a lossy codec\'s unsampled estimate bounds a first decision\'s sampling, which a raw send did before', async () => {
    let t = 0;
    // Every encode costs 1 ms on the injected clock; a sample takes a few (two sizes, re-timed).
    const slow = (c: Codec): Codec => ({ ...c, encode: (i: Parameters<Codec['encode']>[0]) => ((t += 1), c.encode(i)) });
    const reg = new CodecRegistry().register(createNoneCodec()).register(slow(createBloscCodec())).register(slow(createSparseCodec())).register(createTopKCodec());
    const caps = capabilitiesOf(reg, ['arrow-flight']);
    // 20 Mbit/s: raw takes ~1.7 s, top-k ~85 ms by its frame size and start-up speeds, and both
    // lossless codecs could still beat top-k at an infinite ratio, so both are worth sampling.
    const at20 = { 'arrow-flight': probedPath('arrow-flight', 20, 20e6 / 8) };
    const run = (lossyConsent: boolean) =>
      negotiate({ registry: reg, local: caps, remote: caps, costs, links: at20, dtype: 'float32', bytes, gradient: true, lossyConsent, sampleCosts: { now: () => t }, sampleBudgetShare: 0.03 });
    const withTopk = await run(true);
    const topkMs = withTopk.ranked.find((x) => x.codec === 'topk')!.totalMs;
    expect(topkMs).toBeLessThan(100);
    // 3% of ~85 ms (2.5 ms) is spent by the first sample; blosc is not sampled.
    expect(withTopk.sampled).toEqual(['sparse']);
    expect(withTopk.codec).toBe('topk');
    // Without consent raw (~1.7 s) bounds it: 3% of that leaves time for both.
    expect((await run(false)).sampled).toEqual(['blosc-lz4', 'sparse']);
  });

  it('NG24: a lossy codec never sampled for a kind still learns its whole-tensor encode speed (NG20)', async () => {
    const memory = new PayloadMemory();
    const d = await negotiate(args({ links: link200, gradient: true, lossyConsent: true, memory, stream: 'g' }));
    memory.observeEncode(d.signature!, 'topk', 7 * MB);
    expect(memory.observed(d.signature!)).toEqual({ topk: 7 * MB });
    const next = await negotiate(args({ links: link200, gradient: true, lossyConsent: true, memory, stream: 'g' }));
    expect(next.ranked.find((x) => x.codec === 'topk')?.compressMs).toBeCloseTo((bytes.byteLength / (7 * MB)) * 1000, 6);
  });
});
