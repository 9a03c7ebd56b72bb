import type { CodecRegistry } from '../codecs';
import type { DType } from '../tensor';
import { codecKinds, usableCodecs, usablePaths, type Capabilities, type PathName } from './capabilities';
import { choose, type ChooseInput, type Choice } from './choose';
import { estimateRatios, type CodecCostModel } from './cost-model';
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
}

export interface Negotiated extends Choice {
  /** Codec ids whose ratio was estimated by sampling (the rest could not have won). */
  readonly sampled: readonly string[];
}

export async function negotiate(input: NegotiateInput): Promise<Negotiated> {
  const ids = usableCodecs(input.local, input.remote);
  const kinds = codecKinds(input.registry, ids);
  const paths = usablePaths(input.local, input.remote)
    .map((p) => input.links[p])
    .filter((e): e is PathEstimate => e !== undefined);
  const n = input.bytes.byteLength;
  const rawMs = Math.min(...paths.map((p) => p.rttMs + (n / p.bytesPerSecond) * 1000));
  const minRtt = Math.min(...paths.map((p) => p.rttMs));
  const consent = input.lossyConsent;
  const worthSampling = ids.filter((id) => {
    if (id === 'none') return false;
    if (!input.registry.get(id).accepts(input.dtype)) return false;
    if (kinds[id] === 'lossy' && !(input.gradient === true && (consent === true || (Array.isArray(consent) && consent.includes(id))))) return false;
    if (input.pin?.codec !== undefined) return id === input.pin.codec;
    const cost = input.costs.get(id, input.dtype);
    if (cost === undefined) return false;
    const floorMs = (n / cost.encodeBps + n / cost.decodeBps) * 1000 + minRtt;
    return floorMs < rawMs;
  });
  const ratios = await estimateRatios(
    worthSampling.map((id) => input.registry.get(id)),
    input.dtype,
    input.bytes,
  );
  const choice = choose({
    payload: { bytes: n, dtype: input.dtype, gradient: input.gradient, ratios },
    codecs: kinds,
    costs: input.costs,
    paths,
    lossyConsent: consent,
    pin: input.pin,
  });
  return { ...choice, sampled: worthSampling };
}
