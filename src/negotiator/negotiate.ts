import type { CodecRegistry } from '../codecs';
import type { DType } from '../tensor';
import { codecKinds, usableCodecs, usablePaths, type Capabilities, type PathName } from './capabilities';
import { choose, type ChooseInput, type Choice } from './choose';
import { RATIO_SAMPLE_BYTES, RATIO_SAMPLE_MIN_BYTES } from './constants';
import { CodecCostModel, estimateRatios, sampleCodecs, type Clock } from './cost-model';
import type { PathEstimate } from './link';

// The whole pure decision for one transfer: intersect capabilities, estimate ratios by
// sampling the payload, choose. Sampling costs CPU, so a codec is sampled only if it could
// win at all: even at an infinite ratio it still pays compress + decompress, and when that
// alone is slower than sending raw on the best path, its ratio does not matter. On fast
// links this skips sampling entirely, which keeps the negotiator's own overhead near zero.

export interface NegotiateInput {
  readonly registry: CodecRegistry;
  readonly local: Capabilities;
  readonly remote: Capabilities;
  readonly costs: CodecCostModel;
  /** Current estimates by path; paths both sides support and that have an estimate are used. */
  readonly links: Partial<Record<PathName, PathEstimate>>;
  readonly dtype: DType;
  readonly bytes: Uint8Array;
  readonly gradient?: boolean;
  readonly lossyConsent: ChooseInput['lossyConsent'];
  readonly pin?: ChooseInput['pin'];
  /**
   * Also time the sampled codecs on the payload's own sample and rank by those speeds
   * (start-up costs then only decide what is worth sampling). Off by default: ranking is
   * then exact under injected costs.
   */
  readonly sampleCosts?: boolean | { now: Clock };
  /**
   * Keep sampling to about this share of the most a codec could save: the time the payload's
   * bytes take on the best path (RTT excluded; no codec shortens it). By the start-up speeds,
   * the sample shrinks from RATIO_SAMPLE_BYTES down to RATIO_SAMPLE_MIN_BYTES to fit, and when
   * even that does not fit nothing is sampled (but a pinned codec) and the payload goes raw:
   * a 10 KB payload on 20 Mbit/s can win at most ~4 ms, less than sampling it costs. Without
   * this option the sample is RATIO_SAMPLE_BYTES.
   */
  readonly sampleBudgetShare?: number;
}

export interface Negotiated extends Choice {
  /** Codec ids whose ratio was estimated by sampling (the rest could not have won). */
  readonly sampled: readonly string[];
  /** Bytes of the payload each sampled codec compressed. */
  readonly sampleBytes: number;
}

/** The sample size that keeps sampling these codecs within budgetMs by their start-up speeds. */
export function budgetedSampleBytes(budgetMs: number, msPerByte: number): number {
  if (!(msPerByte > 0)) return RATIO_SAMPLE_BYTES;
  return Math.max(RATIO_SAMPLE_MIN_BYTES, Math.min(RATIO_SAMPLE_BYTES, Math.floor(budgetMs / msPerByte)));
}

export async function negotiate(input: NegotiateInput): Promise<Negotiated> {
  const ids = usableCodecs(input.local, input.remote);
  const kinds = codecKinds(input.registry, ids);
  const paths = usablePaths(input.local, input.remote)
    .map((p) => input.links[p])
    .filter((e): e is PathEstimate => e !== undefined);
  const n = input.bytes.byteLength;
  const rawMs = Math.min(...paths.map((p) => p.rttMs + (n / p.bytesPerSecond) * 1000));
  const bytesMs = Math.min(...paths.map((p) => (n / p.bytesPerSecond) * 1000));
  const minRtt = Math.min(...paths.map((p) => p.rttMs));
  const consent = input.lossyConsent;
  let worthSampling = ids.filter((id) => {
    if (id === 'none') return false;
    if (!input.registry.get(id).accepts(input.dtype)) return false;
    if (kinds[id] === 'lossy' && !(input.gradient === true && (consent === true || (Array.isArray(consent) && consent.includes(id))))) return false;
    if (input.pin?.codec !== undefined) return id === input.pin.codec;
    const cost = input.costs.get(id, input.dtype);
    if (cost === undefined) return false;
    const floorMs = (n / cost.encodeBps + n / cost.decodeBps) * 1000 + minRtt;
    return floorMs < rawMs;
  });
  let sampleBytes = RATIO_SAMPLE_BYTES;
  if (input.sampleBudgetShare !== undefined) {
    let msPerByte = 0;
    for (const id of worthSampling) {
      const cost = input.costs.get(id, input.dtype);
      if (cost) msPerByte += (1 / cost.encodeBps + 1 / cost.decodeBps) * 1000;
    }
    const budgetMs = input.sampleBudgetShare * bytesMs;
    sampleBytes = budgetedSampleBytes(budgetMs, msPerByte);
    if (msPerByte * Math.min(RATIO_SAMPLE_MIN_BYTES, n) > budgetMs) worthSampling = worthSampling.filter((id) => id === input.pin?.codec);
  }
  const sampledCodecs = worthSampling.map((id) => input.registry.get(id));
  let ratios: Record<string, number>;
  let costs = input.costs;
  if (input.sampleCosts) {
    const sampled = await sampleCodecs(sampledCodecs, input.dtype, input.bytes, { sampleSize: sampleBytes, ...(typeof input.sampleCosts === 'object' ? { now: input.sampleCosts.now } : {}) });
    ratios = sampled.ratios;
    costs = new CodecCostModel();
    for (const [key, cost] of input.costs.entries()) {
      const [id, dtype] = key.split('/') as [string, DType];
      costs.set(id, dtype, cost);
    }
    for (const [id, cost] of Object.entries(sampled.costs)) costs.set(id, input.dtype, cost);
  } else {
    ratios = await estimateRatios(sampledCodecs, input.dtype, input.bytes, sampleBytes);
  }
  const choice = choose({
    payload: { bytes: n, dtype: input.dtype, gradient: input.gradient, ratios },
    codecs: kinds,
    costs,
    paths,
    lossyConsent: consent,
    pin: input.pin,
  });
  return { ...choice, sampled: worthSampling, sampleBytes: Math.min(sampleBytes, n) };
}
