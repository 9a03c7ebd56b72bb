import { isLossy, type CodecRegistry } from '../codecs';
import type { DType } from '../tensor';
import { codecKinds, usableCodecs, usablePaths, type Capabilities, type PathName } from './capabilities';
import { choose, type ChooseInput, type Choice } from './choose';
import { MEMORY_MAX_PENDING, RATIO_SAMPLE_BYTES, RATIO_SAMPLE_MIN_BYTES } from './constants';
import { CodecCostModel, estimateRatios, sampleCodecs, type Clock, type CodecCost } from './cost-model';
import type { PathEstimate } from './link';
import { payloadSignature, withObserved, type Learnt, type PayloadMemory, type PayloadSignature } from './payload-memory';

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
   * With sampleCosts: extrapolate each sample's speed to the payload's size from a second,
   * quarter-size sample (sampleCodecs' payloadBytes). Default true; tests of the budget logic
   * turn it off to count clock readings simply.
   */
  readonly extrapolate?: boolean;
  /**
   * Keep sampling to about this share of the most a codec could save: the time the payload's
   * bytes take on the best path (RTT excluded; no codec shortens it). By the start-up speeds,
   * the sample shrinks from RATIO_SAMPLE_BYTES down to RATIO_SAMPLE_MIN_BYTES to fit, and a
   * codec whose smallest sample does not fit is not sampled (a pinned codec always is):
   * a 10 KB payload on 20 Mbit/s can win at most ~4 ms, less than sampling it costs. Codecs
   * are admitted cheapest first (by start-up speed) while they fit. Without
   * this option the sample is RATIO_SAMPLE_BYTES.
   */
  readonly sampleBudgetShare?: number;
  /**
   * Prune a codec only if it could not beat raw even this many times faster than its start-up
   * speed (default 1). Start-up speeds come from a small synthetic sample and run low on real
   * data (blosc-lz4: ~50 MB/s there, ~125 MB/s on MNIST), so a codec that would win can be
   * pruned unseen; sampleBudgetShare already bounds what the extra sampling costs.
   */
  readonly pruneSlack?: number;
  /**
   * Reuse what sampling found for a payload like this one (PayloadMemory), and keep what it
   * finds now. Not used when a codec is pinned (the pinned codec is always sampled).
   */
  readonly memory?: PayloadMemory;
  /** The payload's stream name, if any: payloads of different streams are never "alike". */
  readonly stream?: string;
}

export interface Negotiated extends Choice {
  /** Codec ids whose ratio was estimated by sampling (the rest could not have won). */
  readonly sampled: readonly string[];
  /** Bytes of the payload each sampled codec compressed. */
  readonly sampleBytes: number;
  /** With sampleCosts: each sampled codec's speed on this payload's sample. */
  readonly sampledCosts: Readonly<Record<string, CodecCost>>;
  /** Ratios and speeds came from the memory of a payload like this one; nothing was sampled. */
  readonly recalled: boolean;
  /** With a memory: the payload's signature, to report the real send's encode speed against (PayloadMemory.observeEncode). */
  readonly signature?: PayloadSignature;
}

/** The sample size that keeps sampling these codecs within budgetMs by their start-up speeds. */
export function budgetedSampleBytes(budgetMs: number, msPerByte: number): number {
  if (!(msPerByte > 0)) return RATIO_SAMPLE_BYTES;
  return Math.max(RATIO_SAMPLE_MIN_BYTES, Math.min(RATIO_SAMPLE_BYTES, Math.floor(budgetMs / msPerByte)));
}

export async function negotiate(given: NegotiateInput): Promise<Negotiated> {
  // Encode speeds seen on whole tensors of this kind (NG20) stand in for start-up figures
  // everywhere, pruning included: an optimistic start-up figure must not prune the codec
  // that really is faster.
  const signature = given.memory ? payloadSignature(given.dtype, given.bytes, given.gradient === true, given.stream) : undefined;
  const seen = signature ? given.memory?.observed(signature) : undefined;
  const input = seen ? { ...given, costs: observedCosts(given.costs, given.dtype, seen) } : given;
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
  const known = knownRatios(input, ids);
  const recalled = signature && input.pin?.codec === undefined ? input.memory?.recall(signature) : undefined;
  if (recalled) {
    const decide = (l: Learnt) =>
      choose({ payload: { bytes: n, dtype: input.dtype, gradient: input.gradient, ratios: { ...l.ratios, ...known } }, codecs: kinds, costs: withCosts(input.costs, input.dtype, l.costs), paths, lossyConsent: consent, pin: input.pin });
    let choice = decide(recalled);
    // One codec that sampling ran out of time for last time, if any, is sampled now, if it
    // could still beat this choice and its sample fits the budget.
    const refined = input.sampleCosts ? await samplePending(input, recalled, { bytesMs, bestMs: choice.totalMs, minRtt }) : undefined;
    if (refined && signature) input.memory?.refine(signature, refined.learnt);
    if (refined?.sampled.length) choice = decide(refined.learnt);
    const also = refined?.sampled.length ? ` (and ${refined.sampled.join(', ')} sampled now)` : '';
    return {
      ...choice,
      reason: `${choice.reason}; ratios as for the last payload like it${also}`,
      sampled: refined?.sampled ?? [],
      sampleBytes: refined?.sampleBytes ?? 0,
      sampledCosts: refined?.sampledCosts ?? {},
      recalled: true,
      ...(signature ? { signature } : {}),
    };
  }
  const lossyAllowed = (id: string) => input.gradient === true && (consent === true || (Array.isArray(consent) && consent.includes(id)));
  const onPaths = input.pin?.path !== undefined && paths.some((p) => p.path === input.pin?.path) ? paths.filter((p) => p.path === input.pin?.path) : paths;
  const totalMs = (ratio: number, c: CodecCost) => (n / c.encodeBps + n / c.decodeBps) * 1000 + Math.min(...onPaths.map((p) => p.rttMs + (n / ratio / p.bytesPerSecond) * 1000));
  // What a codec must beat before any sample: raw, or a lossy codec whose ratio needs none
  // (NG25). Without the latter, a gradient's first decision on 20 Mbit/s budgeted sampling by
  // the raw send (1.7 s) and spent 94 ms on lossless samples, though top-k promised 45 ms.
  const unsampledMs = Math.min(
    rawMs,
    ...Object.entries(known)
      .filter(([id]) => lossyAllowed(id) && (input.pin?.codec === undefined || input.pin.codec === id))
      .map(([id, ratio]) => {
        const cost = input.costs.get(id, input.dtype);
        return cost ? totalMs(ratio, cost) : Infinity;
      }),
  );
  let worthSampling = ids.filter((id) => {
    if (id === 'none' || known[id] !== undefined) return false;
    if (!input.registry.get(id).accepts(input.dtype)) return false;
    if (kinds[id] === 'lossy' && !lossyAllowed(id)) return false;
    if (input.pin?.codec !== undefined) return id === input.pin.codec;
    const cost = input.costs.get(id, input.dtype);
    if (cost === undefined) return false;
    const floorMs = ((n / cost.encodeBps + n / cost.decodeBps) * 1000) / (input.pruneSlack ?? 1) + minRtt;
    return floorMs < unsampledMs;
  });
  let sampleBytes = RATIO_SAMPLE_BYTES;
  const budgetMs = input.sampleBudgetShare !== undefined ? input.sampleBudgetShare * Math.min(bytesMs, unsampledMs) : Infinity;
  if (input.sampleBudgetShare !== undefined) {
    const perByte = (id: string) => {
      const cost = input.costs.get(id, input.dtype);
      return cost ? (1 / cost.encodeBps + 1 / cost.decodeBps) * 1000 : 0;
    };
    // Cheapest first, while the smallest useful sample of all kept codecs still fits: on a
    // fast link the quick codecs are sampled and xz is not, rather than all or none.
    const smallest = Math.min(RATIO_SAMPLE_MIN_BYTES, n);
    const kept = new Set<string>();
    let msPerByte = 0;
    for (const id of [...worthSampling].sort((a, b) => perByte(a) - perByte(b))) {
      if (id !== input.pin?.codec && (msPerByte + perByte(id)) * smallest > budgetMs) continue;
      kept.add(id);
      msPerByte += perByte(id);
    }
    worthSampling = worthSampling.filter((id) => kept.has(id));
    sampleBytes = budgetedSampleBytes(budgetMs, msPerByte);
  }
  let ratios: Record<string, number> = {};
  let costs = input.costs;
  const sampledCosts: Record<string, CodecCost> = {};
  const outOfTime: string[] = [];
  if (input.sampleCosts) {
    const clock = typeof input.sampleCosts === 'object' ? input.sampleCosts.now : () => globalThis.performance.now();
    const started = clock();
    // Cheapest first, each sample timed, and a codec is skipped once even an infinite ratio
    // could not beat the best estimate so far (branch and bound): after sparse finds 7x on
    // ReLU data, there is no point in spending ~20 ms sampling blosc-zstd.
    let best = Math.min(unsampledMs, ...onPaths.map((p) => p.rttMs + (n / p.bytesPerSecond) * 1000));
    const perByte = (id: string) => {
      const cost = input.costs.get(id, input.dtype);
      return cost ? 1 / cost.encodeBps + 1 / cost.decodeBps : 0;
    };
    const kept: string[] = [];
    for (const id of [...worthSampling].sort((a, b) => perByte(a) - perByte(b))) {
      const known = input.costs.get(id, input.dtype);
      const floorMs = known ? ((n / known.encodeBps + n / known.decodeBps) * 1000) / (input.pruneSlack ?? 1) + minRtt : 0;
      if (id !== input.pin?.codec && floorMs >= best) continue;
      // The budget was planned with start-up speeds; this enforces it with the time really
      // spent, and shrinks it to the same share of the best estimate so far: once sparse
      // promises 150 ms for a gradient that takes 4.5 s raw, another 130 ms of sampling would
      // cost more than any better codec could still save.
      const allowedMs = Math.min(budgetMs, (input.sampleBudgetShare ?? Infinity) * best);
      if (id !== input.pin?.codec && clock() - started >= allowedMs) {
        outOfTime.push(id);
        continue;
      }
      const one = await sampleOne(input, id, sampleBytes);
      if (!one) continue;
      const { ratio, cost } = one;
      kept.push(id);
      ratios[id] = ratio;
      sampledCosts[id] = cost;
      best = Math.min(best, totalMs(ratio, cost));
    }
    worthSampling = worthSampling.filter((id) => kept.includes(id));
    costs = withCosts(input.costs, input.dtype, sampledCosts);
  } else {
    ratios = await estimateRatios(worthSampling.map((id) => input.registry.get(id)), input.dtype, input.bytes, sampleBytes);
  }
  ratios = { ...ratios, ...known };
  // Speeds seen on whole tensors of this kind outrank the fresh sample's (NG20).
  const choice = choose({
    payload: { bytes: n, dtype: input.dtype, gradient: input.gradient, ratios },
    codecs: kinds,
    costs: seen ? withCosts(costs, input.dtype, withObserved({ ratios, costs: sampledCosts }, seen).costs) : costs,
    paths,
    lossyConsent: consent,
    pin: input.pin,
  });
  const pending = outOfTime.slice(0, MEMORY_MAX_PENDING);
  if (signature && input.pin?.codec === undefined) input.memory?.remember(signature, { ratios, costs: sampledCosts, ...(pending.length ? { pending } : {}) });
  return { ...choice, sampled: worthSampling, sampleBytes: Math.min(sampleBytes, n), sampledCosts, recalled: false, ...(signature ? { signature } : {}) };
}

/**
 * Ratios that need no sample (NG24): a lossy codec's frame depends on the payload's size, not
 * its values (LossyCodec.frameBytes). Sampling them cost time for nothing, and on fast links,
 * where the sampling budget is a millisecond or so, they went unsampled and so were no
 * candidates at all: a loopback gradient then went raw (4 MB) instead of top-k (80 kB).
 */
function knownRatios(input: NegotiateInput, ids: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const n = input.bytes.byteLength;
  if (input.gradient !== true || n === 0) return out;
  for (const id of ids) {
    const codec = input.registry.get(id);
    if (!isLossy(codec) || !codec.accepts(input.dtype)) continue;
    const frame = codec.frameBytes(input.dtype, n);
    if (frame > 0) out[id] = n / frame;
  }
  return out;
}

/** Samples one (lossless) codec on the payload, timed: its ratio and speed. */
async function sampleOne(input: NegotiateInput, id: string, sampleBytes: number) {
  const now = typeof input.sampleCosts === 'object' ? { now: input.sampleCosts.now } : {};
  const sampled = await sampleCodecs([input.registry.get(id)], input.dtype, input.bytes, { sampleSize: sampleBytes, ...(input.extrapolate === false ? {} : { payloadBytes: input.bytes.byteLength }), ...now });
  const ratio = sampled.ratios[id];
  const cost = sampled.costs[id];
  return ratio === undefined || cost === undefined ? undefined : { ratio, cost };
}

/**
 * Samples the first codec a remembered decision ran out of time for, under the rules of a
 * first decision: only if it could still beat the best estimate (`bestMs`, even at an infinite
 * ratio, by its start-up speeds) and its sample fits the budget, which shrinks to the same
 * share of that estimate. Either way it is no longer pending.
 */
async function samplePending(input: NegotiateInput, learnt: Learnt, at: { bytesMs: number; bestMs: number; minRtt: number }) {
  const [id, ...rest] = learnt.pending ?? [];
  if (id === undefined) return undefined;
  const remaining: Learnt = { ratios: learnt.ratios, costs: learnt.costs, ...(rest.length ? { pending: rest } : {}) };
  const none = { learnt: remaining, sampled: [] as string[], sampleBytes: 0, sampledCosts: {} as Record<string, CodecCost> };
  const n = input.bytes.byteLength;
  const known = input.costs.get(id, input.dtype);
  if (!known) return none;
  const msPerByte = (1 / known.encodeBps + 1 / known.decodeBps) * 1000;
  if ((msPerByte * n) / (input.pruneSlack ?? 1) + at.minRtt >= at.bestMs) return none;
  const share = input.sampleBudgetShare ?? Infinity;
  const allowedMs = Math.min(share * at.bytesMs, share * at.bestMs);
  if (msPerByte * Math.min(RATIO_SAMPLE_MIN_BYTES, n) > allowedMs) return none;
  const sampleBytes = budgetedSampleBytes(allowedMs, msPerByte);
  const one = await sampleOne(input, id, sampleBytes);
  if (!one) return none;
  return {
    learnt: { ...remaining, ratios: { ...learnt.ratios, [id]: one.ratio }, costs: { ...learnt.costs, [id]: one.cost } },
    sampled: [id],
    sampleBytes: Math.min(sampleBytes, n),
    sampledCosts: { [id]: one.cost },
  };
}

/** A copy of `base` whose encode speeds for `dtype` are the observed ones, where it has the codec. */
function observedCosts(base: CodecCostModel, dtype: DType, observed: Readonly<Record<string, number>>): CodecCostModel {
  const over: Record<string, CodecCost> = {};
  for (const [id, encodeBps] of Object.entries(observed)) {
    const cost = base.get(id, dtype);
    if (cost) over[id] = { ...cost, encodeBps };
  }
  return withCosts(base, dtype, over);
}

/** A copy of `base` with `dtype`'s speeds replaced by `over` where it has them. */
function withCosts(base: CodecCostModel, dtype: DType, over: Readonly<Record<string, CodecCost>>): CodecCostModel {
  const costs = new CodecCostModel();
  for (const [key, cost] of base.entries()) {
    const [id, d] = key.split('/') as [string, DType];
    costs.set(id, d, cost);
  }
  for (const [id, cost] of Object.entries(over)) costs.set(id, dtype, cost);
  return costs;
}
