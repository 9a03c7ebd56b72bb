import { describe, expect, it } from 'vitest';
import { createSparseCodec, createTopKCodec, CodecRegistry, createNoneCodec, createBloscCodec } from '../../src/codecs';
import {
  capabilitiesOf,
  codecKinds,
  estimateRatios,
  LINK_DRIFT_STREAK,
  LINK_MIN_THROUGHPUT_SAMPLE_BYTES,
  measureCodecCosts,
  observeRtt,
  observeTransfer,
  probedPath,
  samplePayload,
  usablePaths,
} from '../../src/negotiator';

describe('link estimates', () => {
  const MB = 1e6;

  it('NG6/NG22: throughput follows real transfers by EWMA, in time per byte, weighted by the throughput share of the time', () => {
    let e = probedPath('webrtc', 10, 10 * MB);
    e = observeTransfer(e, { bytes: 5 * MB, ms: 10 + 1000 }); // 5 MB/s observed
    const weight = 1000 / 1010; // the share of the time past the RTT
    expect(e.bytesPerSecond).toBeCloseTo(1 / (1 / (10 * MB) + 0.3 * weight * (1 / (5 * MB) - 1 / (10 * MB))), 0);
    expect(e.samples).toBe(1);
    expect(e.drift).toBe(false);
    expect(observeRtt(e, 20).rttMs).toBeCloseTo(13, 9);
  });

  it('NG22: a transfer that is mostly RTT barely moves throughput, and a run of transfers converges to the true rate', () => {
    // Loopback through the relay: 6 ms RTT, ~130 MB/s. A 0.53 MB send finishing at 6.9 ms reads as
    // 590 MB/s; averaged in bytes per second it would have moved the estimate to 270 MB/s.
    const e = probedPath('arrow-flight', 6, 130 * MB);
    const fast = observeTransfer(e, { bytes: 530_000, ms: 6.9 });
    expect(fast.bytesPerSecond).toBeGreaterThan(130 * MB);
    expect(fast.bytesPerSecond).toBeLessThan(150 * MB);
    // Transfers of a steady 50 MB/s, large and small alike, bring the estimate there.
    let s = e;
    for (let i = 0; i < 40; i++) {
      const bytes = i % 2 === 0 ? 4 * MB : 530_000;
      s = observeTransfer(s, { bytes, ms: 6 + (bytes / (50 * MB)) * 1000 });
    }
    expect(s.bytesPerSecond / (50 * MB)).toBeCloseTo(1, 2);
  });

  it('NG6: transfers under LINK_MIN_THROUGHPUT_SAMPLE_BYTES do not move throughput', () => {
    const e = probedPath('webrtc', 10, 10 * MB);
    expect(observeTransfer(e, { bytes: LINK_MIN_THROUGHPUT_SAMPLE_BYTES - 1, ms: 500 })).toBe(e);
    expect(observeTransfer(e, { bytes: LINK_MIN_THROUGHPUT_SAMPLE_BYTES, ms: 500 }).samples).toBe(1);
  });

  it('NG6: drift is flagged after LINK_DRIFT_STREAK disagreeing transfers in a row, not before', () => {
    // A link 10x faster than believed: the time-per-byte average follows speed-ups slowly, so drift asks for a probe.
    let e = probedPath('arrow-rtc', 0, 10 * MB);
    const fast = { bytes: 10 * MB, ms: 100 }; // 100 MB/s: 10x off
    for (let i = 1; i < LINK_DRIFT_STREAK; i++) {
      e = observeTransfer(e, fast);
      expect(e.drift).toBe(false);
    }
    const agreeing = observeTransfer(e, { bytes: 10 * MB, ms: 10 * MB / e.bytesPerSecond * 1000 });
    expect(agreeing.disagreeing).toBe(0);
    expect(observeTransfer(e, fast).drift).toBe(true);
  });

  it('NG1: usable paths are the intersection', () => {
    const r = new CodecRegistry().register(createNoneCodec());
    expect(usablePaths(capabilitiesOf(r, ['webrtc', 'arrow-flight']), capabilitiesOf(r, ['arrow-flight', 'arrow-rtc']))).toEqual(['arrow-flight']);
    expect(codecKinds(r, ['none'])).toEqual({ none: 'lossless' });
  });
});

describe('codec cost model', () => {
  it('NG7: measures every codec per dtype with the injected clock (median of runs)', async () => {
    const registry = new CodecRegistry().register(createNoneCodec()).register(createSparseCodec()).register(createTopKCodec());
    let t = 0;
    const model = await measureCodecCosts(registry, { dtypes: ['float32', 'uint8'], sampleBytes: 4096, runs: 3, now: () => (t += 2) });
    // Each encode and decode spans one tick of 2 ms: 4096 bytes / 2 ms.
    expect(model.get('sparse', 'float32')).toEqual({ encodeBps: 2_048_000, decodeBps: 2_048_000 });
    expect(model.get('topk', 'uint8')).toBeUndefined(); // top-k takes floats only
    expect(model.get('sparse', 'int8')).toBeDefined(); // same width as uint8
  });

  it('NG7: estimates ratios from a sample, statelessly for lossy codecs', async () => {
    const a = new Float32Array(1_000_000);
    for (let i = 0; i < a.length; i += 10) a[i] = i;
    const bytes = new Uint8Array(a.buffer);
    const topk = createTopKCodec();
    const ratios = await estimateRatios([createNoneCodec(), createSparseCodec(), createBloscCodec(), topk], 'float32', bytes);
    expect(ratios.none).toBe(1);
    // 10% density: bitmap + values = 4 + 1/8 bits per element of 32: about 7.6x.
    expect(ratios.sparse).toBeGreaterThan(7);
    expect(ratios.sparse).toBeLessThan(8);
    expect(ratios.topk).toBeGreaterThan(40);
    expect(topk.residual('')).toBeUndefined();
  });

  it('NG7: samples are element-aligned slices spread over the payload', () => {
    const bytes = Uint8Array.from({ length: 1 << 20 }, (_, i) => i >> 16);
    const s = samplePayload(bytes, 'float64', 64 * 1024);
    expect(s.byteLength).toBe(64 * 1024);
    expect(new Set(s).size).toBe(8); // eight slices from eight regions
    expect(samplePayload(bytes.subarray(0, 100), 'uint8').byteLength).toBe(100);
  });
});
