import { describe, expect, it } from 'vitest';
import { CodecRegistry, createBloscCodec, createDgcCodec, createNoneCodec, createSparseCodec, createTopKCodec, type Codec } from '../../src/codecs';
import { CodecCostModel, measureCodecCosts, MEMORY_MAX_KEYS, MEMORY_MAX_PENDING, MEMORY_OBSERVED_KEEP, MEMORY_REUSE_MAX, negotiate, PayloadMemory, payloadSignature, probedPath } from '../../src/negotiator';
import { payload } from '../helpers/payloads';

const learnt = { ratios: { sparse: 7 }, costs: {} };

describe('remembering what sampling found per kind of payload', () => {
  it('NG16: signatures tell payloads apart by dtype, size, gradient flag, stream, zero share and byte entropy', () => {
    const n = 1 << 16;
    const relu = payloadSignature('float32', payload('float32', n, 'sparse', 1), false);
    const relu2 = payloadSignature('float32', payload('float32', n, 'sparse', 2), false);
    const smooth = payloadSignature('float32', payload('float32', n, 'smooth', 1), false);
    const random = payloadSignature('float32', payload('float32', n, 'random', 1), false);
    const alike = (a: typeof relu, b: typeof relu) => {
      const m = new PayloadMemory();
      m.remember(a, learnt);
      return m.recall(b) !== undefined;
    };
    expect(alike(relu, relu2)).toBe(true); // another batch of the same kind of data
    expect(alike(relu, smooth)).toBe(false);
    expect(alike(smooth, random)).toBe(false);
    expect(alike(relu, payloadSignature('float32', payload('float32', n, 'sparse', 1), true))).toBe(false);
    expect(alike(relu, payloadSignature('float32', payload('float32', n, 'sparse', 1), false, 'grads/w1'))).toBe(false);
    expect(alike(relu, payloadSignature('float32', payload('float32', n / 2, 'sparse', 1), false))).toBe(false);
    expect(alike(relu, payloadSignature('int32', payload('float32', n, 'sparse', 1), false))).toBe(false);
  });

  it('NG16: a memory is reused MEMORY_REUSE_MAX times, then sampled again; at most MEMORY_MAX_KEYS kinds are kept', () => {
    const m = new PayloadMemory();
    const sig = payloadSignature('float32', payload('float32', 4096, 'sparse', 1), false);
    m.remember(sig, learnt);
    for (let i = 0; i < MEMORY_REUSE_MAX; i++) expect(m.recall(sig)).toEqual(learnt);
    expect(m.recall(sig)).toBeUndefined();
    m.remember(sig, learnt); // sampled again: reusable again
    expect(m.recall(sig)).toEqual(learnt);

    const kinds = Array.from({ length: MEMORY_MAX_KEYS + 1 }, (_, i) => payloadSignature('uint8', new Uint8Array(i + 1), false));
    const full = new PayloadMemory();
    kinds.forEach((k) => full.remember(k, learnt));
    expect(full.recall(kinds[0]!)).toBeUndefined(); // the oldest went
    expect(full.recall(kinds[1]!)).toEqual(learnt);
    expect(full.recall(kinds[MEMORY_MAX_KEYS]!)).toEqual(learnt);
  });

  it('NG16: with a memory, the next payload like the last is decided without sampling, the same way; a pinned codec is always sampled', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createBloscCodec()).register(createSparseCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-rtc' as const] };
    const costs = new CodecCostModel().set('sparse', 'float32', { encodeBps: 5e8, decodeBps: 5e8 }).set('blosc-lz4', 'float32', { encodeBps: 3e8, decodeBps: 3e8 });
    const memory = new PayloadMemory();
    const args = { registry, local: caps, remote: caps, costs, links: { 'arrow-rtc': probedPath('arrow-rtc', 20, 20e6 / 8) }, dtype: 'float32' as const, lossyConsent: false as const, sampleCosts: true, memory };
    const first = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'sparse', 1) });
    expect(first.recalled).toBe(false);
    expect(first.sampled.length).toBeGreaterThan(0);
    const next = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'sparse', 2) });
    expect(next.recalled).toBe(true);
    expect(next.sampled).toEqual([]);
    expect(next.codec).toBe(first.codec);
    expect(next.reason).toContain('like it');
    const other = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'random', 3) });
    expect(other.recalled).toBe(false);
    const pinned = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'sparse', 4), pin: { codec: 'blosc-lz4' } });
    expect([pinned.recalled, pinned.sampled]).toEqual([false, ['blosc-lz4']]);
  });
});

describe('lossy codecs are ranked by speeds that hold at the payload\'s size', () => {
  it('NG17: lossy codecs are timed at start-up on lossySampleBytes, and ranked by that speed, not by a sample of the payload (NG24)', async () => {
    const seen: Record<string, number[]> = {};
    const spy = <C extends Codec>(c: C): C => ({
      ...c,
      encode: (i: Parameters<C['encode']>[0]) => ((seen[c.id] ??= []).push(i.bytes.byteLength), c.encode(i)),
    });
    const model = await measureCodecCosts(new CodecRegistry().register(spy(createSparseCodec())).register(spy(createDgcCodec())), { dtypes: ['float32'], sampleBytes: 4096, lossySampleBytes: 65536, runs: 1 });
    expect(new Set(seen['sparse'])).toEqual(new Set([4096]));
    expect(new Set(seen['dgc'])).toEqual(new Set([65536]));
    expect(model.get('dgc', 'float32')).toBeDefined();

    // Sampled on the payload, DGC would look slow (6 clock steps per op) and top-k quick (1);
    // at start-up, timed on more data, DGC was 10x faster than top-k. DGC must win, unsampled.
    let current = '';
    let t = 0;
    const step: Record<string, number> = { dgc: 6, topk: 1 };
    const now = () => (t += step[current] ?? 0);
    const driving = (c: Codec): Codec => ({
      ...c,
      encode: (i) => ((current = c.id), c.encode(i)),
      decode: (f, o) => ((current = c.id), c.decode(f, o)),
    });
    const registry = new CodecRegistry().register(createNoneCodec()).register(driving(createTopKCodec())).register(driving(createDgcCodec()));
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-rtc' as const] };
    const startup = new CodecCostModel().set('dgc', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('topk', 'float32', { encodeBps: 1e8, decodeBps: 1e8 });
    const d = await negotiate({
      registry,
      local: caps,
      remote: caps,
      costs: startup,
      links: { 'arrow-rtc': probedPath('arrow-rtc', 50, 2e6 / 8) },
      dtype: 'float32',
      bytes: payload('float32', 1 << 18, 'sparse'),
      gradient: true,
      lossyConsent: true,
      sampleCosts: { now },
      extrapolate: false, // counts clock readings per op: one sample size only
    });
    expect(d.sampled).toEqual([]);
    expect(t).toBe(0); // nothing was timed on the payload
    expect(d.codec).toBe('dgc');
  });
});

describe('codecs a remembered decision ran out of time for', () => {
  it('NG19: are sampled on the next payloads like it, one each, and can then win', async () => {
    let t = 0;
    const now = () => t;
    // sparse samples cold (100 ms on the injected clock), which spends the whole budget;
    // blosc-lz4 samples instantly, so once it is sampled it wins on smooth data.
    const sparse = createSparseCodec();
    const coldSparse = { ...sparse, encode: (i: Parameters<typeof sparse.encode>[0]) => ((t += 100), sparse.encode(i)) };
    const registry = new CodecRegistry().register(createNoneCodec()).register(coldSparse).register(createBloscCodec()).register(createBloscCodec({ cname: 'zstd' }));
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-flight' as const] };
    const costs = new CodecCostModel()
      .set('sparse', 'float32', { encodeBps: 5e8, decodeBps: 5e8 })
      .set('blosc-lz4', 'float32', { encodeBps: 3e8, decodeBps: 3e8 })
      .set('blosc-zstd', 'float32', { encodeBps: 2e8, decodeBps: 3e8 });
    const memory = new PayloadMemory();
    const args = {
      registry,
      local: caps,
      remote: caps,
      costs,
      links: { 'arrow-flight': probedPath('arrow-flight', 20, 20e6 / 8) },
      dtype: 'float32' as const,
      lossyConsent: false as const,
      sampleCosts: { now },
      sampleBudgetShare: 0.03,
      memory,
    };
    const first = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'smooth', 1) });
    expect([first.recalled, first.sampled, first.codec === 'blosc-lz4']).toEqual([false, ['sparse'], false]);
    // Both blosc codecs ran out of time; both are kept pending, the cheapest first.
    expect(MEMORY_MAX_PENDING).toBeGreaterThanOrEqual(2);
    expect(memory.recall(first.signature!)?.pending).toEqual(['blosc-lz4', 'blosc-zstd']);
    const second = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'smooth', 2) });
    expect([second.recalled, second.sampled, second.codec]).toEqual([true, ['blosc-lz4'], 'blosc-lz4']);
    expect(second.reason).toContain('blosc-lz4 sampled now');
    // The second one skipped is not forgotten: the payload after samples it.
    const third = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'smooth', 3) });
    expect([third.recalled, third.sampled]).toEqual([true, ['blosc-zstd']]);
    expect(Object.keys(memory.recall(first.signature!)?.ratios ?? {}).sort()).toEqual(['blosc-lz4', 'blosc-zstd', 'sparse']);
    const fourth = await negotiate({ ...args, bytes: payload('float32', 1 << 18, 'smooth', 4) });
    expect([fourth.recalled, fourth.sampled, fourth.codec]).toEqual([true, [], third.codec]);
  });

  it('NG19: a pending codec that could not beat the remembered choice, even at an infinite ratio, is dropped, not sampled', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createSparseCodec()).register(createBloscCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-flight' as const] };
    // sparse at 50x makes ~130 ms on 2 Mbit/s; blosc-lz4 at 10 MB/s each way needs ~260 ms before sending anything.
    const costs = new CodecCostModel().set('sparse', 'float32', { encodeBps: 1e9, decodeBps: 1e9 }).set('blosc-lz4', 'float32', { encodeBps: 1e7, decodeBps: 1e7 });
    const memory = new PayloadMemory();
    const bytes = payload('float32', 1 << 18, 'sparse', 1);
    const sig = payloadSignature('float32', bytes, false);
    memory.remember(sig, { ratios: { sparse: 50 }, costs: { sparse: { encodeBps: 1e9, decodeBps: 1e9 } }, pending: ['blosc-lz4'] });
    const args = { registry, local: caps, remote: caps, costs, links: { 'arrow-flight': probedPath('arrow-flight', 50, 2e6 / 8) }, dtype: 'float32' as const, lossyConsent: false as const, sampleCosts: true, sampleBudgetShare: 0.03, memory };
    const next = await negotiate({ ...args, bytes });
    expect([next.recalled, next.sampled, next.codec]).toEqual([true, [], 'sparse']);
    expect(memory.recall(sig)?.pending).toBeUndefined();
  });

  it('NG19: a pending codec that does not fit the payload\'s budget is dropped, not sampled', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createBloscCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-flight' as const] };
    // 1 kB/s by its start-up speed: even the smallest sample would take far over budget.
    const costs = new CodecCostModel().set('blosc-lz4', 'float32', { encodeBps: 1e3, decodeBps: 1e3 });
    const memory = new PayloadMemory();
    const bytes = payload('float32', 1 << 18, 'smooth', 1);
    memory.remember(payloadSignature('float32', bytes, false), { ratios: {}, costs: {}, pending: ['blosc-lz4'] });
    const args = { registry, local: caps, remote: caps, costs, links: { 'arrow-flight': probedPath('arrow-flight', 20, 20e6 / 8) }, dtype: 'float32' as const, lossyConsent: false as const, sampleCosts: true, sampleBudgetShare: 0.03, memory };
    const next = await negotiate({ ...args, bytes });
    expect([next.recalled, next.sampled, next.codec]).toEqual([true, [], 'none']);
    expect(memory.recall(payloadSignature('float32', bytes, false))?.pending).toBeUndefined();
  });
});

describe('speeds seen on whole tensors', () => {
  it('NG20: a real send\'s encode speed replaces the sampled one for its kind of payload; unknown codecs and broken figures are ignored', () => {
    const m = new PayloadMemory();
    const sig = payloadSignature('float32', payload('float32', 4096, 'sparse', 1), true, 'w');
    m.remember(sig, { ratios: { dgc: 50, topk: 50 }, costs: { dgc: { encodeBps: 4e8, decodeBps: 9e8 }, topk: { encodeBps: 3e8, decodeBps: 9e8 } } });
    m.observeEncode(sig, 'dgc', 1e8);
    m.observeEncode(sig, 'xz', 1e6);
    m.observeEncode(sig, 'topk', Number.NaN);
    m.observeEncode(sig, 'topk', 0);
    expect(m.recall(sig)?.costs).toEqual({ dgc: { encodeBps: 1e8, decodeBps: 9e8 }, topk: { encodeBps: 3e8, decodeBps: 9e8 } });
  });

  it('NG20: speeds seen on whole tensors outlive re-sampling and rank the fresh sample', async () => {
    const m = new PayloadMemory();
    const sig = payloadSignature('float32', payload('float32', 4096, 'sparse', 1), true, 'w');
    m.remember(sig, { ratios: { dgc: 50 }, costs: { dgc: { encodeBps: 4e8, decodeBps: 9e8 } } });
    m.observeEncode(sig, 'dgc', 1e8);
    m.remember(sig, { ratios: { dgc: 49, topk: 50 }, costs: { dgc: { encodeBps: 5e8, decodeBps: 8e8 }, topk: { encodeBps: 3e8, decodeBps: 9e8 } } });
    expect(m.observed(sig)).toEqual({ dgc: 1e8 });
    expect(m.recall(sig)?.costs).toEqual({ dgc: { encodeBps: 1e8, decodeBps: 8e8 }, topk: { encodeBps: 3e8, decodeBps: 9e8 } });
  });

  it('NG20: the median of the last MEMORY_OBSERVED_KEEP sends ranks a codec, so one slow send does not; of two, the faster', () => {
    const memory = new PayloadMemory();
    const sig = payloadSignature('float32', payload('float32', 1 << 12, 'random', 2), true, 'm');
    memory.remember(sig, { ratios: { topk: 50 }, costs: { topk: { encodeBps: 3e8, decodeBps: 1e9 } } });
    const seen = (bps: number) => (memory.observeEncode(sig, 'topk', bps), memory.observed(sig)?.['topk']);
    expect(seen(5e8)).toBe(5e8);
    expect(seen(1e7)).toBe(5e8); // a GC pause in one send: of two, the faster
    expect(seen(6e8)).toBe(5e8); // median of [5e8, 1e7, 6e8]
    expect(seen(1e7)).toBe(1e7); // two slow sends among the last three [1e7, 6e8, 1e7]: slow
    expect(MEMORY_OBSERVED_KEEP).toBe(3);
    memory.remember(sig, { ratios: { topk: 50 }, costs: { topk: { encodeBps: 3e8, decodeBps: 1e9 } } }); // sampled afresh
    expect(seen(8e8)).toBe(6e8); // the observations outlive it: [6e8, 1e7, 8e8], not [8e8]
  });

  it('NG20: once DGC is seen slower on the whole gradient than top-k was sampled, the next gradient like it goes top-k', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createTopKCodec()).register(createDgcCodec());
    const caps = { encode: registry.ids(), decode: registry.ids(), paths: ['arrow-flight' as const] };
    const memory = new PayloadMemory();
    const grad = payload('float32', 1 << 16, 'random', 1);
    const sig = payloadSignature('float32', grad, true, 'w');
    memory.remember(sig, { ratios: { dgc: 50, topk: 50 }, costs: { dgc: { encodeBps: 4e8, decodeBps: 1e9 }, topk: { encodeBps: 3e8, decodeBps: 1e9 } } });
    const args = { registry, local: caps, remote: caps, costs: new CodecCostModel(), links: { 'arrow-flight': probedPath('arrow-flight', 1, 1e7) }, dtype: 'float32' as const, bytes: grad, gradient: true, stream: 'w', lossyConsent: true as const, memory };
    const before = await negotiate(args);
    expect([before.recalled, before.codec]).toEqual([true, 'dgc']);
    expect(before.signature).toEqual(sig);
    memory.observeEncode(before.signature!, 'dgc', 1e8);
    const after = await negotiate(args);
    expect([after.recalled, after.codec]).toEqual([true, 'topk']);
    // Time to sample afresh: the new sample says nothing of DGC's real speed, the observations do
    // (their median: two more slow sends outvote the first).
    memory.observeEncode(sig, 'dgc', 1e5);
    memory.observeEncode(sig, 'dgc', 1e5);
    while (memory.recall(sig)) {
      // use up the memory's reuses
    }
    // Start-up figures make DGC look far faster; the observation outranks them.
    const startup = new CodecCostModel().set('topk', 'float32', { encodeBps: 1e8, decodeBps: 1e9 }).set('dgc', 'float32', { encodeBps: 1e12, decodeBps: 1e12 });
    const fresh = await negotiate({ ...args, costs: startup, sampleCosts: true });
    expect(fresh.recalled).toBe(false);
    expect(fresh.sampled).toEqual([]); // lossy codecs need no sample (NG24)
    expect(fresh.codec).toBe('topk');
    const dgc = fresh.ranked.find((c) => c.codec === 'dgc');
    expect(dgc?.compressMs).toBeCloseTo((grad.byteLength / 1e5) * 1000, 3); // at the observed 100 kB/s, not the start-up 1 TB/s
  });
});
