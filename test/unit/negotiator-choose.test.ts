import { describe, expect, it } from 'vitest';
import type { CodecKind } from '../../src/codecs';
import { DuetError } from '../../src/errors';
import { choose, CodecCostModel, probedPath, usableCodecs, type ChooseInput, type PayloadInfo } from '../../src/negotiator';

// Synthetic but realistic figures: codec speeds of the order measured in
// docs/benchmarks/codecs.md, link speeds of BENCHMARKS.md section 2.
const MB = 1e6;
const costs = new CodecCostModel();
for (const dtype of ['float32', 'float64', 'uint8'] as const) {
  costs.set('blosc-lz4', dtype, { encodeBps: 280 * MB, decodeBps: 600 * MB });
  costs.set('blosc-zstd', dtype, { encodeBps: 45 * MB, decodeBps: 170 * MB });
  costs.set('xz', dtype, { encodeBps: 21 * MB, decodeBps: 95 * MB });
  costs.set('sparse', dtype, { encodeBps: 300 * MB, decodeBps: 800 * MB });
  costs.set('topk', dtype, { encodeBps: 100 * MB, decodeBps: 1000 * MB });
  costs.set('dgc', dtype, { encodeBps: 120 * MB, decodeBps: 1000 * MB });
}

const kinds: Record<string, CodecKind> = {
  none: 'lossless',
  'blosc-lz4': 'lossless',
  'blosc-zstd': 'lossless',
  xz: 'lossless',
  sparse: 'lossless',
  topk: 'lossy',
  dgc: 'lossy',
};

const links = {
  loopback: probedPath('arrow-flight', 0.1, 600 * MB),
  '200M': probedPath('arrow-flight', 5, 200e6 / 8),
  '20M': probedPath('arrow-flight', 20, 20e6 / 8),
  '2M': probedPath('arrow-flight', 50, 2e6 / 8),
};

const smooth: PayloadInfo = { bytes: 31_360_000, dtype: 'float32', ratios: { 'blosc-lz4': 6, 'blosc-zstd': 12, xz: 13, sparse: 2.9 } };
const sparse90: PayloadInfo = { bytes: 40 * MB, dtype: 'float32', ratios: { 'blosc-lz4': 3, 'blosc-zstd': 5, xz: 6, sparse: 7.6 } };
const random: PayloadInfo = { bytes: 72 * MB, dtype: 'float64', ratios: { 'blosc-lz4': 0.99, 'blosc-zstd': 1.0, xz: 0.99, sparse: 1.0 } };
const grad: PayloadInfo = { bytes: 4 * MB, dtype: 'float32', gradient: true, ratios: { 'blosc-lz4': 1.1, 'blosc-zstd': 1.15, xz: 1.15, sparse: 1.0, topk: 50, dgc: 50 } };

function input(payload: PayloadInfo, link: keyof typeof links, extra: Partial<ChooseInput> = {}): ChooseInput {
  return { payload, codecs: kinds, costs, paths: [links[link]], lossyConsent: false, ...extra };
}

describe('choose()', () => {
  it('NG3: raw on loopback-speed links', () => {
    for (const p of [smooth, sparse90, random]) expect(choose(input(p, 'loopback')).codec).toBe('none');
  });

  it('NG3: xz or blosc on 2 Mbit/s for smooth data', () => {
    expect(['xz', 'blosc-zstd', 'blosc-lz4']).toContain(choose(input(smooth, '2M')).codec);
  });

  it('NG3: sparse for 90%-sparse data on slow links', () => {
    expect(choose(input(sparse90, '2M')).codec).toBe('sparse');
    expect(choose(input(sparse90, '20M')).codec).toBe('sparse');
  });

  it('NG3: incompressible data goes raw on every link', () => {
    for (const l of Object.keys(links) as (keyof typeof links)[]) expect(choose(input(random, l)).codec).toBe('none');
  });

  it('NG3: the total is compress + rtt + size/ratio/throughput + decompress', () => {
    const c = choose(input(smooth, '20M', { pin: { codec: 'xz' } }));
    expect(c.compressMs).toBeCloseTo((31_360_000 / (21 * MB)) * 1000, 6);
    expect(c.transferMs).toBeCloseTo(20 + (31_360_000 / 13 / 2.5e6) * 1000, 6);
    expect(c.decompressMs).toBeCloseTo((31_360_000 / (95 * MB)) * 1000, 6);
    expect(c.totalMs).toBeCloseTo(c.compressMs + c.transferMs + c.decompressMs, 9);
  });

  it('NG2: never lossy without consent, nor for non-gradients', () => {
    expect(['topk', 'dgc']).not.toContain(choose(input(grad, '2M')).codec);
    expect(['topk', 'dgc']).not.toContain(choose(input({ ...grad, gradient: false }, '2M', { lossyConsent: true })).codec);
    expect(['topk', 'dgc']).toContain(choose(input(grad, '2M', { lossyConsent: true })).codec);
  });

  it('NG2: consent can name the lossy codecs allowed', () => {
    const fast = { ...grad, ratios: { ...grad.ratios, topk: 40, dgc: 50 } };
    expect(choose(input(fast, '2M', { lossyConsent: true })).codec).toBe('dgc');
    expect(choose(input(fast, '2M', { lossyConsent: ['topk'] })).codec).toBe('topk');
    expect(['topk', 'dgc']).not.toContain(choose(input(fast, '2M', { lossyConsent: [] })).codec);
  });

  it('NG1: never a codec the receiver lacks', () => {
    const sender = { encode: Object.keys(kinds), decode: Object.keys(kinds), paths: ['arrow-flight' as const] };
    const receiver = { encode: ['none', 'blosc-lz4'], decode: ['none', 'blosc-lz4'], paths: ['arrow-flight' as const] };
    const ids = usableCodecs(sender, receiver);
    expect(ids).toEqual(['none', 'blosc-lz4']);
    const c = choose(input(smooth, '2M', { codecs: Object.fromEntries(ids.map((id) => [id, kinds[id]!])) }));
    expect(c.codec).toBe('blosc-lz4');
    for (const cand of c.ranked) expect(ids).toContain(cand.codec);
  });

  it('NG4: pins are honoured, and a pin that cannot be honoured is FAILED_PRECONDITION', () => {
    expect(choose(input(smooth, 'loopback', { pin: { codec: 'xz' } })).codec).toBe('xz');
    const paths = [links['2M'], { ...links.loopback, path: 'webrtc' as const }];
    expect(choose(input(smooth, '2M', { paths })).path).toBe('webrtc');
    expect(choose(input(smooth, '2M', { paths, pin: { path: 'arrow-flight' } })).path).toBe('arrow-flight');
    const fails = (extra: Partial<ChooseInput>) => {
      try {
        choose(input(grad, '2M', extra));
      } catch (e) {
        return (e as DuetError).code;
      }
      return 'ok';
    };
    expect(fails({ pin: { codec: 'qsgd' } })).toBe('FAILED_PRECONDITION');
    expect(fails({ pin: { codec: 'topk' } })).toBe('FAILED_PRECONDITION');
    expect(fails({ pin: { codec: 'topk' }, lossyConsent: true })).toBe('ok');
    expect(fails({ pin: { path: 'webrtc' } })).toBe('FAILED_PRECONDITION');
  });

  it('NG5: explains the pick in one line', () => {
    const c = choose(input(smooth, '20M'));
    expect(c.reason).toMatch(/^[a-z0-9-]+: \d+\.\dx at \d+(\.\d)? MB\/s beats [a-z0-9-]+ \(.*\) on a 20 Mbit\/s arrow-flight link \(est\. [\d.]+ ms vs [\d.]+ ms\)$/);
    expect(choose(input(smooth, 'loopback')).reason).toMatch(/^none: raw beats .* on a 4\.8 Gbit\/s/);
    // The reason says what was pinned: a pinned path leaves the codec chosen, and says so.
    expect(choose(input(smooth, '20M', { pin: { path: 'arrow-flight' } })).reason).toMatch(/^[a-z0-9-]+: .* on a 20 Mbit\/s arrow-flight link \(pinned\) \(est\./);
    expect(choose(input(smooth, '20M', { pin: { codec: 'blosc-lz4' } })).reason).toMatch(/^blosc-lz4 \(pinned\): .* arrow-flight link \(est\./);
  });

  it('NG3: a codec without estimates is skipped, and with none at all choose() refuses', () => {
    const c = choose(input({ ...smooth, ratios: {} }, '2M'));
    expect(c.codec).toBe('none');
    expect(() => choose(input({ ...smooth, ratios: {} }, '2M', { codecs: { xz: 'lossless' } }))).toThrow(DuetError);
  });
});
