import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { CodecRegistry, registerPortableCodecs } from '../../src/codecs';
import {
  AwaitedReports,
  CODEC_CAPABILITY_PREFIX,
  codecCapabilities,
  effectiveConsent,
  MAX_AWAITED_REPORTS,
  MAX_CONSENT_CODECS,
  MAX_DRIFT_STREAK,
  deferReprobe,
  REPROBE_MAX_SHARE,
  mergePins,
  nextDriftStreak,
  peerDecodes,
  PROBE_LIMITS,
  PROBE_MAX_BYTES,
  PROBE_MIN_MS,
  PROBE_START_BYTES,
  pinnedChoice,
  probeLink,
  preferencesFromWire,
  preferencesToWire,
  RELAY_BATCH_LINK_MS,
  RELAY_MIN_BATCH_BYTES,
  relayBatchBytes,
} from '../../src/duet/negotiation';
import { DEFAULT_BATCH_BYTES } from '../../src/arrow';
import { NegotiationPreferencesSchema } from '../../src/wire/gen/duet/v1/negotiation_pb';
import { LINK_DRIFT_STREAK, probedPath } from '../../src/negotiator';

const prefs = (init: Parameters<typeof create<typeof NegotiationPreferencesSchema>>[1]) => create(NegotiationPreferencesSchema, init);

describe('capability strings', () => {
  it('NG8: a side advertises one codec:<id> per codec it decodes', () => {
    const registry = registerPortableCodecs(new CodecRegistry());
    const caps = codecCapabilities(registry);
    expect(caps).toEqual(registry.ids().map((id) => `${CODEC_CAPABILITY_PREFIX}${id}`));
    expect(caps).toContain('codec:blosc-lz4');
    expect(codecCapabilities(undefined)).toEqual([]);
  });

  it('NG8: a peer decodes what it announces, plus "none"; other and malformed strings are skipped', () => {
    expect(peerDecodes([])).toEqual(['none']);
    expect(peerDecodes(['codec:xz', 'codec:sparse', 'flight', 'codec:', 'codec:Bad Id', 'codec:xz']).sort()).toEqual(['none', 'sparse', 'xz']);
  });
});

describe('preferences', () => {
  it('NG9: pins merge field by field: the send call, then this side, then the peer; a pin that loses is named', () => {
    expect(mergePins({}, undefined, { codec: 'sparse', path: 'webrtc' })).toEqual({ pin: { codec: 'sparse', path: 'webrtc' }, from: { codec: 'remote', path: 'remote' }, overridden: [] });
    const m = mergePins({ codec: 'xz' }, { codec: 'blosc-lz4', path: 'arrow-rtc' }, { codec: 'sparse', path: 'arrow-rtc' });
    expect(m.pin).toEqual({ codec: 'xz', path: 'arrow-rtc' });
    expect(m.from).toEqual({ codec: 'send', path: 'local' });
    expect(m.overridden).toEqual([
      "this side's codec pin blosc-lz4 gave way to this transfer's xz",
      "the peer's codec pin sparse gave way to this transfer's xz",
    ]);
    expect(mergePins({}, undefined, undefined)).toEqual({ pin: {}, from: {}, overridden: [] });
  });

  it('NG9: preferences round-trip through the wire message', () => {
    const p = { pin: { codec: 'sparse', path: 'arrow-flight' as const }, lossyConsent: ['topk', 'dgc'] };
    expect(preferencesFromWire(prefs(preferencesToWire(p)))).toEqual(p);
    expect(preferencesFromWire(prefs(preferencesToWire({ lossyConsent: true })))).toEqual({ pin: {}, lossyConsent: true });
    expect(preferencesFromWire(prefs(preferencesToWire({})))).toEqual({ pin: {}, lossyConsent: false });
  });

  it('NG9: malformed preferences from a peer are refused (unknown path, bad ids, too many codecs at MAX_CONSENT_CODECS + 1)', () => {
    expect(() => preferencesFromWire(prefs({ pinPath: 'carrier-pigeon' }))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', reason: 'MALFORMED_MESSAGE' }));
    expect(() => preferencesFromWire(prefs({ pinCodec: 'X Y' }))).toThrow(expect.objectContaining({ reason: 'MALFORMED_MESSAGE' }));
    expect(() => preferencesFromWire(prefs({ lossyCodecs: ['ok', '../etc'] }))).toThrow(expect.objectContaining({ reason: 'MALFORMED_MESSAGE' }));
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    expect(preferencesFromWire(prefs({ lossyCodecs: ids(MAX_CONSENT_CODECS) })).lossyConsent).toHaveLength(MAX_CONSENT_CODECS);
    expect(() => preferencesFromWire(prefs({ lossyCodecs: ids(MAX_CONSENT_CODECS + 1) }))).toThrow(expect.objectContaining({ reason: 'MALFORMED_MESSAGE' }));
  });

  it('NG10: lossy needs both the receiver\'s consent and the sender\'s policy; lists intersect', () => {
    expect(effectiveConsent(true, false)).toBe(false);
    expect(effectiveConsent(false, true)).toBe(false);
    expect(effectiveConsent(true, true)).toBe(true);
    expect(effectiveConsent(true, ['topk'])).toEqual(['topk']);
    expect(effectiveConsent(['dgc', 'qsgd'], true)).toEqual(['dgc', 'qsgd']);
    expect(effectiveConsent(['dgc', 'qsgd'], ['topk', 'dgc'])).toEqual(['dgc']);
    expect(effectiveConsent(['qsgd'], ['topk'])).toEqual([]);
  });
});

describe('fully pinned transfers', () => {
  const registry = registerPortableCodecs(new CodecRegistry());
  const base = { registry, peerDecodes: ['none', 'sparse', 'topk'], available: ['webrtc', 'arrow-rtc'] as const, dtype: 'float32' as const, gradient: false, consent: false as const };
  const refused = (f: () => unknown) => expect(f).toThrow(expect.objectContaining({ code: 'FAILED_PRECONDITION', reason: 'NO_USABLE_CODEC' }));

  it('NG8: a fully pinned codec must be one the receiver decodes and this side has', () => {
    expect(pinnedChoice({ ...base, codec: 'sparse', path: 'webrtc' })).toEqual({ codec: 'sparse', path: 'webrtc', reason: 'sparse (pinned) over webrtc (pinned)' });
    refused(() => pinnedChoice({ ...base, codec: 'blosc-lz4', path: 'webrtc' })); // the receiver lacks it
    refused(() => pinnedChoice({ ...base, peerDecodes: [...base.peerDecodes, 'xz'], codec: 'xz', path: 'webrtc' })); // this side lacks it
    refused(() => pinnedChoice({ ...base, codec: 'sparse', path: 'arrow-flight' })); // path not open
    refused(() => pinnedChoice({ ...base, codec: 'topk', path: 'webrtc', dtype: 'uint8', gradient: true, consent: true })); // dtype
  });

  it('NG10: a fully pinned lossy codec needs a gradient and consent', () => {
    refused(() => pinnedChoice({ ...base, codec: 'topk', path: 'webrtc', gradient: true }));
    refused(() => pinnedChoice({ ...base, codec: 'topk', path: 'webrtc', consent: true }));
    refused(() => pinnedChoice({ ...base, codec: 'topk', path: 'webrtc', gradient: true, consent: ['dgc'] }));
    expect(pinnedChoice({ ...base, codec: 'topk', path: 'webrtc', gradient: true, consent: ['topk'] }).codec).toBe('topk');
  });
});

describe('the link probe', () => {
  // A fake path: a fixed cost per transfer, plus the bytes of throughput probes at a fixed rate.
  const path = (latencyMs: number, bytesPerMs: number, firstExtraMs = 0) => {
    const sizes: number[] = [];
    const measure = async (bytes: number) => {
      sizes.push(bytes);
      const moving = bytes > PROBE_LIMITS.latencyBytes ? bytes / bytesPerMs : 0;
      return latencyMs + moving + (sizes.length === 1 ? firstExtraMs : 0);
    };
    return { sizes, measure };
  };

  it('NG11: two latency probes (the faster kept), then one throughput probe where it already lasts PROBE_MIN_MS', async () => {
    const p = path(50, 250, 300); // 2 Mbit/s: 64 KiB takes 262 ms; the first transfer pays 300 ms of set-up
    const r = await probeLink(p.measure);
    expect(p.sizes).toEqual([PROBE_LIMITS.latencyBytes, PROBE_LIMITS.latencyBytes, PROBE_START_BYTES]);
    expect(r.rttMs).toBe(50);
    expect(r.bytesPerSecond).toBeCloseTo(250_000, 0);
  });

  it('NG11: a probe grows by PROBE_GROWTH while its bytes take less than PROBE_MIN_MS, and stops exactly at it', async () => {
    // 1024 bytes/ms: 64 KiB in 64 ms >= PROBE_MIN_MS (40): one probe.
    expect((await probeLink(path(1, 1024).measure)).probes.map((x) => x.bytes).slice(2)).toEqual([PROBE_START_BYTES]);
    // Exactly PROBE_MIN_MS for 64 KiB: stops; a hair faster: grows to 256 KiB.
    const exact = PROBE_START_BYTES / PROBE_MIN_MS;
    expect((await probeLink(path(0, exact).measure)).probes.slice(2).map((x) => x.bytes)).toEqual([PROBE_START_BYTES]);
    expect((await probeLink(path(0, exact * 1.01).measure)).probes.slice(2).map((x) => x.bytes)).toEqual([PROBE_START_BYTES, 4 * PROBE_START_BYTES]);
  });

  it('NG11: with two or more throughput probes the fixed cost is their line\'s intercept, at most the latency probe', async () => {
    // Tiny transfers cost 10 ms here, but larger ones pay only 1 ms fixed plus 100 bytes/ms.
    const sizes: number[] = [];
    const r = await probeLink(async (bytes) => {
      sizes.push(bytes);
      return bytes <= PROBE_LIMITS.latencyBytes ? 10 : 1 + bytes / 1e3;
    });
    expect(sizes.slice(2)).toEqual([PROBE_START_BYTES]); // 64 KiB already takes 66 ms: one probe, no line
    expect(r.rttMs).toBe(10);
    const fast = await probeLink(async (bytes) => (bytes <= PROBE_LIMITS.latencyBytes ? 10 : 1 + bytes / 1e4));
    expect(fast.probes.slice(2).map((x) => x.bytes)).toEqual([PROBE_START_BYTES, 4 * PROBE_START_BYTES, 16 * PROBE_START_BYTES]);
    expect(fast.rttMs).toBeCloseTo(1, 9);
    expect(fast.bytesPerSecond).toBeCloseTo(1e7, 0);
    // An intercept above the latency probe (noise) is capped by it; one below zero is zero.
    expect((await probeLink(async (b) => (b <= PROBE_LIMITS.latencyBytes ? 0.5 : 3 + b / 1e4))).rttMs).toBe(0.5);
    const times: Record<number, number> = { [PROBE_LIMITS.latencyBytes]: 5, [PROBE_START_BYTES]: 5, [4 * PROBE_START_BYTES]: 10, [16 * PROBE_START_BYTES]: 100 };
    expect((await probeLink(async (b) => times[b]!)).rttMs).toBe(0);
  });

  it('NG11: a probe never exceeds PROBE_MAX_BYTES, however fast the path', async () => {
    const p = path(0.2, 1e9);
    const r = await probeLink(p.measure);
    expect(Math.max(...p.sizes)).toBe(PROBE_MAX_BYTES);
    expect(p.sizes.slice(2)).toEqual([PROBE_START_BYTES, 4 * PROBE_START_BYTES, 16 * PROBE_START_BYTES, PROBE_MAX_BYTES]);
    expect(r.bytesPerSecond).toBeGreaterThan(0);
  });
});

describe('drift back-off', () => {
  it('NG12: a re-probe that confirms the last probe doubles the drift streak, up to MAX_DRIFT_STREAK; a real change resets it', () => {
    expect(nextDriftStreak(undefined, undefined, 1e6)).toBe(LINK_DRIFT_STREAK);
    expect(nextDriftStreak(LINK_DRIFT_STREAK, 1e6, 1.9e6)).toBe(2 * LINK_DRIFT_STREAK);
    expect(nextDriftStreak(LINK_DRIFT_STREAK, 1e6, 2e6)).toBe(2 * LINK_DRIFT_STREAK); // exactly LINK_DRIFT_FACTOR still confirms
    expect(nextDriftStreak(LINK_DRIFT_STREAK, 1e6, 2.01e6)).toBe(LINK_DRIFT_STREAK);
    expect(nextDriftStreak(24, 1e6, 0.5e6)).toBe(MAX_DRIFT_STREAK);
    expect(nextDriftStreak(MAX_DRIFT_STREAK, 1e6, 1e6)).toBe(MAX_DRIFT_STREAK);
    expect(nextDriftStreak(MAX_DRIFT_STREAK, 1e6, 0.49e6)).toBe(LINK_DRIFT_STREAK);
  });
});

describe('re-probe cost', () => {
  it('NG12: a drifted path is re-probed only if its last probe cost at most REPROBE_MAX_SHARE of the transfer\'s raw time on it', () => {
    // 4 MB at 100 MB/s with no RTT: 40 ms raw, so a probe may have taken up to 10 ms.
    const fast = probedPath('arrow-flight', 0, 100e6);
    expect(deferReprobe(REPROBE_MAX_SHARE * 40, fast, 4e6)).toBe(false);
    expect(deferReprobe(REPROBE_MAX_SHARE * 40 + 0.1, fast, 4e6)).toBe(true);
    // The loopback case the negotiator benchmark measured: a 150 ms re-probe before a ~40 ms transfer.
    expect(deferReprobe(150, fast, 4e6)).toBe(true);
    // The same probe before 500 kB on 2 Mbit/s (50 ms + 2 s raw) is worth it; never probed: probe.
    expect(deferReprobe(150, probedPath('arrow-flight', 50, 250e3), 500e3)).toBe(false);
    expect(deferReprobe(undefined, fast, 1)).toBe(false);
  });
});

describe('reports', () => {
  it('NG12: reports are matched to our own transfers, once; at most MAX_AWAITED_REPORTS are remembered', () => {
    const r = new AwaitedReports();
    r.add('a', 'arrow-rtc');
    expect(r.take('a')).toBe('arrow-rtc');
    expect(r.take('a')).toBeUndefined();
    expect(r.take('never-sent')).toBeUndefined();
    for (let i = 0; i < MAX_AWAITED_REPORTS; i++) r.add(`t${i}`, 'webrtc');
    expect(r.size).toBe(MAX_AWAITED_REPORTS);
    r.add('one-more', 'arrow-flight');
    expect(r.size).toBe(MAX_AWAITED_REPORTS);
    expect(r.take('t0')).toBeUndefined(); // the oldest was forgotten
    expect(r.take('t1')).toBe('webrtc');
    expect(r.take('one-more')).toBe('arrow-flight');
  });
});

describe('relay batch size', () => {
  it('NG23: a batch takes RELAY_BATCH_LINK_MS of link time, within RELAY_MIN_BATCH_BYTES and DEFAULT_BATCH_BYTES, exactly at both edges', () => {
    const bpsFor = (bytes: number) => (bytes * 1000) / RELAY_BATCH_LINK_MS;
    expect(relayBatchBytes(20e6 / 8)).toBe(62_496); // 20 Mbit/s: 62,500 B, down to a multiple of 8
    expect(relayBatchBytes(bpsFor(RELAY_MIN_BATCH_BYTES))).toBe(RELAY_MIN_BATCH_BYTES);
    expect(relayBatchBytes(bpsFor(RELAY_MIN_BATCH_BYTES) - 1000)).toBe(RELAY_MIN_BATCH_BYTES);
    expect(relayBatchBytes(bpsFor(RELAY_MIN_BATCH_BYTES + 8))).toBe(RELAY_MIN_BATCH_BYTES + 8);
    expect(relayBatchBytes(bpsFor(DEFAULT_BATCH_BYTES))).toBe(DEFAULT_BATCH_BYTES);
    expect(relayBatchBytes(bpsFor(DEFAULT_BATCH_BYTES) - 1000)).toBeLessThan(DEFAULT_BATCH_BYTES);
    expect(relayBatchBytes(bpsFor(DEFAULT_BATCH_BYTES) * 10)).toBe(DEFAULT_BATCH_BYTES);
    expect(relayBatchBytes(Infinity)).toBe(DEFAULT_BATCH_BYTES);
  });
});
