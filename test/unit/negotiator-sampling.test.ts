import { describe, expect, it } from 'vitest';
import { CodecRegistry, createBloscCodec, createNoneCodec, createSparseCodec } from '../../src/codecs';
import { budgetedSampleBytes, CodecCostModel, negotiate, probedPath, RATIO_SAMPLE_BYTES, RATIO_SAMPLE_MIN_BYTES, sampleCodecs } from '../../src/negotiator';
import { payload } from '../helpers/payloads';

describe('sampling a payload', () => {
  it('NG14: the sample shrinks to fit its budget, between RATIO_SAMPLE_MIN_BYTES and RATIO_SAMPLE_BYTES', () => {
    const msPerByte = 1 / 1e5; // 100 MB/s
    expect(budgetedSampleBytes(1000, msPerByte)).toBe(RATIO_SAMPLE_BYTES);
    expect(budgetedSampleBytes((RATIO_SAMPLE_BYTES - 1) * msPerByte, msPerByte)).toBe(RATIO_SAMPLE_BYTES - 1);
    expect(budgetedSampleBytes(RATIO_SAMPLE_MIN_BYTES * msPerByte, msPerByte)).toBe(RATIO_SAMPLE_MIN_BYTES);
    expect(budgetedSampleBytes(0.0001, msPerByte)).toBe(RATIO_SAMPLE_MIN_BYTES);
    expect(budgetedSampleBytes(5, 0)).toBe(RATIO_SAMPLE_BYTES);
  });

  it('NG14: a payload\'s own sample gives each codec its ratio and speed (injected clock)', async () => {
    let t = 0;
    const now = () => (t += 2); // every reading 2 ms later: encode and decode each "take" 2 ms
    const bytes = payload('float32', 1 << 18, 'sparse');
    const s = await sampleCodecs([createNoneCodec(), createSparseCodec()], 'float32', bytes, { sampleSize: 64 * 1024, now });
    expect(s.ratios['none']).toBe(1);
    expect(s.ratios['sparse']).toBeGreaterThan(3);
    expect(s.costs['sparse']).toEqual({ encodeBps: (64 * 1024) / 0.002, decodeBps: (64 * 1024) / 0.002 });
    expect(s.costs['none']).toBeUndefined();
  });

  it('NG14: negotiate() ranks by the sample\'s speeds and keeps sampling within its budget', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createBloscCodec()).register(createSparseCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-rtc' as const] };
    // Start-up says both codecs are very fast (so both are worth sampling) ...
    const costs = new CodecCostModel().set('blosc-lz4', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('sparse', 'float32', { encodeBps: 1e9, decodeBps: 1e9 });
    const bytes = payload('float32', 1 << 20, 'sparse');
    let t = 0;
    // ... but on this payload's sample every encode takes 1 s: with the sample's speeds, raw wins.
    const now = () => (t += 500);
    const link = { 'arrow-rtc': probedPath('arrow-rtc', 50, 2e6 / 8) };
    const args = { registry, local: caps, remote: caps, costs, links: link, dtype: 'float32' as const, bytes, lossyConsent: false as const };
    expect((await negotiate(args)).codec).not.toBe('none');
    const timed = await negotiate({ ...args, sampleCosts: { now } });
    expect(timed.codec).toBe('none');
    // 2 codecs at 1 GB/s each way = 4e-6 ms per byte; 3% of the ~16.8 s the bytes take raw = ~503 ms: the full sample fits.
    expect((await negotiate({ ...args, sampleBudgetShare: 0.03 })).sampleBytes).toBe(RATIO_SAMPLE_BYTES);
    // A budget that just pays for RATIO_SAMPLE_MIN_BYTES (0.1% over, for float rounding) samples that much ...
    const bytesMs = (bytes.byteLength / (2e6 / 8)) * 1000;
    const atMin = await negotiate({ ...args, sampleBudgetShare: (RATIO_SAMPLE_MIN_BYTES * 4e-6 * 1.001) / bytesMs });
    expect(atMin.sampled).toEqual(['blosc-lz4', 'sparse']);
    expect(atMin.sampleBytes).toBe(Math.floor(RATIO_SAMPLE_MIN_BYTES * 1.001));
    // ... and one that cannot pay for it samples nothing and sends raw, unless a codec is pinned.
    const below = await negotiate({ ...args, sampleBudgetShare: (RATIO_SAMPLE_MIN_BYTES * 4e-6 * 0.99) / bytesMs });
    expect([below.sampled, below.codec]).toEqual([[], 'none']);
    const pinned = await negotiate({ ...args, sampleBudgetShare: 1e-9, pin: { codec: 'sparse' } });
    expect([pinned.sampled, pinned.codec]).toEqual([['sparse'], 'sparse']);
  });
});
