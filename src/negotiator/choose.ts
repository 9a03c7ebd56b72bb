import type { CodecKind } from '../codecs';
import { DuetError } from '../errors';
import type { DType } from '../tensor';
import type { PathName } from './capabilities';
import type { CodecCostModel } from './cost-model';
import { formatLinkSpeed, type PathEstimate } from './link';

// Picks (codec, path) for one transfer by minimising the estimated
//   compress + RTT + (bytes / ratio) / throughput + decompress
// over the codecs both sides have and the paths both sides can use. Lossy codecs enter
// only for gradients with consent; pins narrow the search and are never ignored.

export interface PayloadInfo {
  readonly bytes: number;
  readonly dtype: DType;
  /** The payload is a gradient (lossy codecs are conceivable). */
  readonly gradient?: boolean;
  /** Estimated ratio (raw / encoded) per codec id, e.g. from estimateRatios(). */
  readonly ratios: Readonly<Record<string, number>>;
}

export interface ChooseInput {
  readonly payload: PayloadInfo;
  /** Usable codec ids (sender encodes, receiver decodes) with their kind. */
  readonly codecs: Readonly<Record<string, CodecKind>>;
  readonly costs: CodecCostModel;
  /** Estimates of the usable paths. */
  readonly paths: readonly PathEstimate[];
  /**
   * The data owner's consent to lossy compression for this transfer: true for any lossy
   * codec, or the ids of the ones allowed. choose() ranks by time only, so accuracy (say,
   * DGC rather than random-k) is decided here, by whoever gives consent.
   */
  readonly lossyConsent: boolean | readonly string[];
  readonly pin?: { readonly codec?: string; readonly path?: PathName };
}

export interface Candidate {
  readonly codec: string;
  readonly path: PathName;
  readonly ratio: number;
  readonly compressMs: number;
  readonly transferMs: number;
  readonly decompressMs: number;
  readonly totalMs: number;
}

export interface Choice extends Candidate {
  readonly reason: string;
  /** Every candidate considered, best first. */
  readonly ranked: readonly Candidate[];
}

function refuse(message: string): DuetError {
  return new DuetError('FAILED_PRECONDITION', message, { reason: 'NO_USABLE_CODEC' });
}

const mbps = (bps: number) => `${(bps / 1e6).toFixed(bps >= 1e8 ? 0 : bps >= 1e7 ? 0 : 1)} MB/s`;
const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);

export function choose(input: ChooseInput): Choice {
  const { payload, pin } = input;
  const consent = input.lossyConsent;
  const lossyOk = (id: string) => payload.gradient === true && (consent === true || (Array.isArray(consent) && consent.includes(id)));
  let ids = Object.keys(input.codecs);
  if (pin?.codec !== undefined) {
    if (!ids.includes(pin.codec)) throw refuse(`The pinned codec "${pin.codec}" is not usable: both sides must have it (usable: ${ids.join(', ') || 'none'}).`);
    if (input.codecs[pin.codec] === 'lossy' && !lossyOk(pin.codec)) {
      throw refuse(`The pinned codec "${pin.codec}" is lossy, and lossy codecs need a gradient payload and the data owner's consent.`);
    }
    ids = [pin.codec];
  }
  ids = ids.filter((id) => input.codecs[id] === 'lossless' || lossyOk(id));
  let paths = input.paths;
  if (pin?.path !== undefined) {
    paths = paths.filter((p) => p.path === pin.path);
    if (paths.length === 0) throw refuse(`The pinned path "${pin.path}" is not usable here.`);
  }
  if (paths.length === 0) throw refuse('No tensor path is usable by both sides.');

  const ranked: Candidate[] = [];
  for (const codec of ids) {
    const ratio = codec === 'none' ? 1 : payload.ratios[codec];
    const cost = codec === 'none' ? { encodeBps: Infinity, decodeBps: Infinity } : input.costs.get(codec, payload.dtype);
    if (ratio === undefined || !(ratio > 0) || cost === undefined) continue; // cannot estimate: not a candidate
    const compressMs = (payload.bytes / cost.encodeBps) * 1000;
    const decompressMs = (payload.bytes / cost.decodeBps) * 1000;
    for (const p of paths) {
      const transferMs = p.rttMs + (payload.bytes / ratio / p.bytesPerSecond) * 1000;
      ranked.push({ codec, path: p.path, ratio, compressMs, transferMs, decompressMs, totalMs: compressMs + transferMs + decompressMs });
    }
  }
  if (ranked.length === 0) throw refuse(`No usable codec has a cost and ratio estimate for this ${payload.dtype} payload.`);
  // Ties go to the lossless codec, then to the cheaper CPU side (fewer ms spent coding).
  ranked.sort(
    (a, b) =>
      a.totalMs - b.totalMs ||
      Number(input.codecs[a.codec] === 'lossy') - Number(input.codecs[b.codec] === 'lossy') ||
      a.compressMs + a.decompressMs - (b.compressMs + b.decompressMs),
  );
  const best = ranked[0]!;
  return { ...best, reason: explain(best, ranked, input), ranked };
}

function explain(best: Candidate, ranked: readonly Candidate[], input: ChooseInput): string {
  const link = input.paths.find((p) => p.path === best.path)!;
  // Say which was pinned: with only the path pinned, the codec was still chosen.
  const on = `on a ${formatLinkSpeed(link.bytesPerSecond)} ${best.path} link${input.pin?.path !== undefined ? ' (pinned)' : ''}`;
  const pinned = input.pin?.codec !== undefined ? ' (pinned)' : '';
  const runnerUp = ranked.find((c) => c.codec !== best.codec);
  const speed = (c: Candidate) => (c.codec === 'none' ? 'raw' : `${c.ratio.toFixed(1)}x at ${mbps((input.payload.bytes / Math.max(c.compressMs, 1e-9)) * 1000)}`);
  if (runnerUp === undefined) return `${best.codec}${pinned}: ${speed(best)} ${on} (est. ${ms(best.totalMs)})`;
  return `${best.codec}${pinned}: ${speed(best)} beats ${runnerUp.codec} (${speed(runnerUp)}) ${on} (est. ${ms(best.totalMs)} vs ${ms(runnerUp.totalMs)})`;
}
