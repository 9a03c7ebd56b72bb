import { describe, expect, it } from 'vitest';
import { CodecRegistry, createBloscCodec, createDgcCodec, createNoneCodec, createSparseCodec } from '../../src/codecs';
import { budgetedSampleBytes, CodecCostModel, negotiate, probedPath, RATIO_SAMPLE_BYTES, RATIO_SAMPLE_MIN_BYTES, SAMPLE_RETIME_BELOW_MS, SAMPLE_SIZE_EXPONENT_MIN, sampleCodecs, scaledMs, timeCodec, TIMING_STREAM } from '../../src/negotiator';
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

  it('NG14: a sample quicker than SAMPLE_RETIME_BELOW_MS is timed again and the faster run kept', async () => {
    const sparse = createSparseCodec();
    let encodes = 0;
    const counting = { ...sparse, encode: (i: Parameters<typeof sparse.encode>[0]) => (encodes++, sparse.encode(i)) };
    const bytes = payload('float32', 1 << 16, 'sparse');
    // Clock readings: run 1 takes encode+decode = SAMPLE_RETIME_BELOW_MS - 1 ms, run 2 takes 2 ms.
    const clock = (steps: number[]) => {
      let t = 0;
      let i = 0;
      return () => (t += steps[i++ % steps.length]!);
    };
    const half = (SAMPLE_RETIME_BELOW_MS - 1) / 2;
    const quick = await sampleCodecs([counting], 'float32', bytes, { now: clock([0, half, half, 0, 1, 1]) });
    expect(encodes).toBe(2);
    expect(quick.costs['sparse']!.encodeBps).toBe(bytes.byteLength / 0.001);
    // At the limit: timed once.
    encodes = 0;
    await sampleCodecs([counting], 'float32', bytes, { now: clock([0, SAMPLE_RETIME_BELOW_MS / 2, SAMPLE_RETIME_BELOW_MS / 2]) });
    expect(encodes).toBe(1);
  });

  it('NG14: timed sampling goes cheapest first and skips a codec that could not beat the best estimate so far', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createBloscCodec()).register(createSparseCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-rtc' as const] };
    const bytes = payload('float32', 1 << 20, 'sparse');
    let t = 0;
    const now = () => (t += 1); // 1 ms per encode and per decode of the sample: ~256 MB/s
    const link = { 'arrow-rtc': probedPath('arrow-rtc', 50, 2e6 / 8) }; // raw: ~16.8 s
    const args = { registry, local: caps, remote: caps, links: link, dtype: 'float32' as const, bytes, lossyConsent: false as const, sampleCosts: { now } };
    // By start-up speeds sparse is cheap and blosc slow (1 MB/s: 8.4 s at an infinite ratio, still under raw).
    const slowBlosc = new CodecCostModel().set('sparse', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('blosc-lz4', 'float32', { encodeBps: 1e6, decodeBps: 1e6 });
    const d = await negotiate({ ...args, costs: slowBlosc });
    // sparse first: ~7x, ~2.4 s in all; blosc at infinite ratio (8.4 s) cannot beat that, so it is not sampled.
    expect(d.sampled).toEqual(['sparse']);
    expect(d.codec).toBe('sparse');
    // With blosc fast enough to possibly win, both are sampled.
    const fastBlosc = new CodecCostModel().set('sparse', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('blosc-lz4', 'float32', { encodeBps: 1e8, decodeBps: 1e8 });
    expect((await negotiate({ ...args, costs: fastBlosc })).sampled).toEqual(['blosc-lz4', 'sparse']);
  });

  it('NG14: the sampling budget is enforced with the time really spent, not only planned with start-up speeds', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createBloscCodec()).register(createSparseCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-rtc' as const] };
    const bytes = payload('float32', 1 << 20, 'sparse');
    const fast = new CodecCostModel().set('sparse', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('blosc-lz4', 'float32', { encodeBps: 1e9, decodeBps: 1e9 });
    let t = 0;
    const now = () => (t += 100); // every clock reading 100 ms later: the first sample alone overruns
    const bytesMs = (bytes.byteLength / (2e6 / 8)) * 1000;
    const d = await negotiate({
      registry, local: caps, remote: caps, costs: fast, links: { 'arrow-rtc': probedPath('arrow-rtc', 50, 2e6 / 8) },
      dtype: 'float32', bytes, lossyConsent: false, sampleCosts: { now }, sampleBudgetShare: 150 / bytesMs,
    });
    expect(d.sampled).toHaveLength(1);
  });

  it('NG14: the sampling allowance shrinks to the same share of the best estimate found so far', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createBloscCodec()).register(createSparseCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-rtc' as const] };
    const bytes = payload('float32', 1 << 20, 'sparse');
    const fast = new CodecCostModel().set('sparse', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('blosc-lz4', 'float32', { encodeBps: 1e8, decodeBps: 1e8 });
    let t = 0;
    const now = () => (t += 10); // every reading 10 ms later
    const args = {
      registry, local: caps, remote: caps, costs: fast, links: { 'arrow-rtc': probedPath('arrow-rtc', 50, 2e6 / 8) },
      dtype: 'float32' as const, bytes, lossyConsent: false as const, sampleCosts: { now }, extrapolate: false,
    };
    // sparse is sampled first (cheapest); it promises ~2.8 s in all, and 50 ms have gone by then.
    // At 3%: min(3% of raw ~500 ms, 3% of 2.8 s ~84 ms) is not spent yet, so blosc is sampled too.
    expect((await negotiate({ ...args, sampleBudgetShare: 0.03 })).sampled).toEqual(['blosc-lz4', 'sparse']);
    // At 1% the raw budget (~168 ms) would still admit blosc, but 1% of sparse's ~2.8 s (~28 ms) is spent.
    expect((await negotiate({ ...args, sampleBudgetShare: 0.01 })).sampled).toEqual(['sparse']);
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
    const timed = await negotiate({ ...args, sampleCosts: { now }, extrapolate: false });
    expect(timed.codec).toBe('none');
    // blosc-lz4 at 1 GB/s each way (2e-6 ms per byte) and sparse at 2 GB/s (1e-6): 3e-6 ms per
    // byte for both; 3% of the ~16.8 s the bytes take raw = ~503 ms: the full sample fits.
    const budgeted = { ...args, costs: new CodecCostModel().set('blosc-lz4', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('sparse', 'float32', { encodeBps: 2e9, decodeBps: 2e9 }) };
    expect((await negotiate({ ...budgeted, sampleBudgetShare: 0.03 })).sampleBytes).toBe(RATIO_SAMPLE_BYTES);
    const bytesMs = (bytes.byteLength / (2e6 / 8)) * 1000;
    const share = (msPerByte: number, factor: number) => (RATIO_SAMPLE_MIN_BYTES * msPerByte * factor) / bytesMs;
    // A budget that just pays for RATIO_SAMPLE_MIN_BYTES of both (0.1% over, for float rounding) samples both ...
    const both = await negotiate({ ...budgeted, sampleBudgetShare: share(3e-6, 1.001) });
    expect(both.sampled).toEqual(['blosc-lz4', 'sparse']);
    expect(both.sampleBytes).toBe(Math.floor(RATIO_SAMPLE_MIN_BYTES * 1.001));
    // ... a little less admits the cheaper codec only, with a larger sample of it ...
    const one = await negotiate({ ...budgeted, sampleBudgetShare: share(3e-6, 0.99) });
    expect(one.sampled).toEqual(['sparse']);
    expect(one.sampleBytes).toBe(Math.floor(RATIO_SAMPLE_MIN_BYTES * 3 * 0.99));
    // ... and less than the cheapest one's smallest sample samples nothing and sends raw, unless a codec is pinned.
    const none = await negotiate({ ...budgeted, sampleBudgetShare: share(1e-6, 0.99) });
    expect([none.sampled, none.codec]).toEqual([[], 'none']);
    const pinned = await negotiate({ ...budgeted, sampleBudgetShare: 1e-9, pin: { codec: 'blosc-lz4' } });
    expect([pinned.sampled, pinned.codec]).toEqual([['blosc-lz4'], 'blosc-lz4']);
  });
});

describe('timing lossy codecs', () => {
  // A DGC whose encodes are recorded, with one stream slot besides the timing stream.
  function recordedDgc(maxStreams = 8) {
    const dgc = createDgcCodec({ seed: 1, maxStreams });
    const streams: (string | undefined)[] = [];
    const codec = { ...dgc, encode: (i: Parameters<typeof dgc.encode>[0]) => (streams.push(i.stream), dgc.encode(i)) };
    return { dgc, codec, streams };
  }

  it('NG18: lossy codecs are timed on a stream of their own, which is forgotten afterwards', async () => {
    const { dgc, codec, streams } = recordedDgc();
    const grad = payload('float32', 1 << 14, 'smooth');
    await dgc.encode({ dtype: 'float32', bytes: grad, stream: 'w' });
    const before = dgc.residual('w');
    await timeCodec(codec, 'float32', grad, 2);
    await sampleCodecs([codec], 'float32', grad, { sampleSize: grad.byteLength });
    // Two sample sizes (payloadBytes): a stream per size, since a stream holds one length.
    await sampleCodecs([codec], 'float32', grad, { sampleSize: grad.byteLength / 2, payloadBytes: 8 * grad.byteLength });
    expect(streams.length).toBeGreaterThanOrEqual(6);
    expect(streams.every((s) => s?.startsWith(TIMING_STREAM))).toBe(true);
    const used = new Set(streams as string[]);
    expect(used.size).toBe(3);
    for (const s of used) {
      expect(dgc.residual(s)).toBeUndefined();
      expect(dgc.momentum(s)).toBeUndefined();
    }
    expect(dgc.residual('w')).toEqual(before);
  });

  it('NG18: with every stream slot taken, timing falls back to no stream instead of failing', async () => {
    const { dgc, codec, streams } = recordedDgc(1);
    const grad = payload('float32', 1 << 12, 'smooth');
    await dgc.encode({ dtype: 'float32', bytes: grad, stream: 'w' });
    const cost = await timeCodec(codec, 'float32', grad, 1);
    expect(cost.encodeBps).toBeGreaterThan(0);
    expect(streams.filter((s) => s === undefined).length).toBeGreaterThan(0);
    expect(dgc.residual('w')).toBeDefined();
  });

  it('NG18: lossless codecs are timed as before, without a stream', async () => {
    const sparse = createSparseCodec();
    const streams: (string | undefined)[] = [];
    const codec = { ...sparse, encode: (i: Parameters<typeof sparse.encode>[0]) => (streams.push(i.stream), sparse.encode(i)) };
    await timeCodec(codec, 'float32', payload('float32', 1 << 12, 'sparse'), 1);
    expect(streams.every((s) => s === undefined)).toBe(true);
  });
});

describe('sample speeds for the whole payload', () => {
  it('NG21: time grows as size^b between a sample and its quarter; b is clamped to [SAMPLE_SIZE_EXPONENT_MIN, 1]', () => {
    // sqrt growth: 4x the bytes, 2x the time; 16x further is 4x further.
    expect(scaledMs(10, 5, 1000, 4000, 64_000)).toBeCloseTo(40, 9);
    expect(scaledMs(10, 2.5, 1000, 4000, 64_000)).toBeCloseTo(160, 9); // linear
    expect(scaledMs(10, 1, 1000, 4000, 64_000)).toBeCloseTo(160, 9); // faster than linear: held at 1
    expect(scaledMs(10, 9.9, 1000, 4000, 64_000)).toBeCloseTo(10 * 16 ** SAMPLE_SIZE_EXPONENT_MIN, 9);
    expect(scaledMs(10, undefined, 0, 4000, 64_000)).toBeCloseTo(160, 9);
    expect(scaledMs(10, 0, 1000, 4000, 64_000)).toBeCloseTo(160, 9); // a reading too small to fit
    expect(scaledMs(10, 5, 1000, 4000, 4000)).toBe(10);
  });

  it('NG21: sampleCodecs times a quarter sample too and gives speeds for payloadBytes (injected clock)', async () => {
    let t = 0;
    const now = () => t;
    const sparse = createSparseCodec();
    // This codec's time grows as sqrt(bytes): 1 ms per sqrt(KiB), encode and decode alike.
    const sqrtCodec = {
      ...sparse,
      encode: (i: Parameters<typeof sparse.encode>[0]) => ((t += Math.sqrt(i.bytes.byteLength / 1024)), sparse.encode(i)),
      decode: (f: Uint8Array, o?: Parameters<typeof sparse.decode>[1]) => sparse.decode(f, o).then((d) => ((t += Math.sqrt(d.byteLength / 1024)), d)),
    };
    const bytes = payload('float32', 1 << 20, 'sparse'); // 4 MiB
    const s = await sampleCodecs([sqrtCodec], 'float32', bytes, { sampleSize: 256 * 1024, now, payloadBytes: bytes.byteLength });
    // sqrt(4096 KiB) = 64 ms each way for the whole payload.
    expect(bytes.byteLength / s.costs['sparse']!.encodeBps).toBeCloseTo(0.064, 3);
    expect(bytes.byteLength / s.costs['sparse']!.decodeBps).toBeCloseTo(0.064, 3);
    const linear = await sampleCodecs([sqrtCodec], 'float32', bytes, { sampleSize: 256 * 1024, now });
    expect((256 * 1024) / linear.costs['sparse']!.encodeBps).toBeCloseTo(0.016, 3); // the sample's own speed, as before

    // negotiate() asks for the payload's size, unless told not to.
    const registry = new CodecRegistry().register(createNoneCodec()).register(sqrtCodec);
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-rtc' as const] };
    const args = { registry, local: caps, remote: caps, costs: new CodecCostModel().set('sparse', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }), links: { 'arrow-rtc': probedPath('arrow-rtc', 50, 2e6 / 8) }, dtype: 'float32' as const, bytes, lossyConsent: false as const, sampleCosts: { now } };
    expect(bytes.byteLength / (await negotiate(args)).sampledCosts['sparse']!.encodeBps).toBeCloseTo(0.064, 3);
    expect(bytes.byteLength / (await negotiate({ ...args, extrapolate: false })).sampledCosts['sparse']!.encodeBps).toBeCloseTo(0.256, 3);
  });
});
