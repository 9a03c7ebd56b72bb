// What one benchmark run records (docs/benchmarks/negotiator.json keeps the raw samples, so
// --report-only can recompute every table from them).

import type { MachineInfo } from '../netlab/machine';
import type { PayloadName } from './payloads';

/** The column of the negotiator, beside the fixed codecs' ids. */
export const NEGOTIATED = 'negotiated';

/**
 * A second column of raw sends on the fast links: the same transfer as `none`, kept as a column
 * of its own, so the report can say how far two medians of identical sends differ in the same
 * run. That is the noise the fast-link targets are judged against. Not a codec: never an oracle.
 */
export const CONTROL = 'none-again';

export interface Sample {
  run: number;
  payload: PayloadName;
  /** A fixed codec id, NEGOTIATED or CONTROL. */
  column: string;
  /** From the owner's send() to the scientist holding the decoded, checked tensor. */
  ms: number;
  /** The codec that was used (the negotiator's pick in its column). */
  codec: string;
  path: string;
  reason: string;
  wireBytes: number;
  ok: boolean;
  relError?: number;
  /** Owner: garbage collection during send() (until the sender finished), ms. */
  gcMs?: number;
  /** Scientist: garbage collection while the transfer was expected and arriving, ms. */
  scientistGcMs?: number;
  /** Owner: from send() to the transfer's announcement (choice, encode, announce). */
  announceMs?: number;
  /** Owner: the codec's encode of the whole tensor (none: absent). */
  encodeMs?: number;
  /** Owner: from send() to its upload finishing (the relay took the last byte). */
  sentMs?: number;
  /** From send to the scientist learning of the transfer (TransferStart over the DataChannel), on the shared clock. */
  startMs?: number;
  /** Negotiated only: from send() to the negotiator's decision, and what it sampled. */
  decideMs?: number;
  sampled?: string[];
  sampleBytes?: number;
  /** Negotiated only: decided from what sampling found for an earlier payload like it (PayloadMemory). */
  recalled?: boolean;
  /** Negotiated only: paths the negotiator re-probed before deciding (drift). */
  probed?: string[];
}

/**
 * A fixed codec stays in the focus runs while its median is within this factor of the best
 * fixed codec's: what could be the oracle, or change places with it, is measured further; xz
 * at 1 s on loopback is not.
 */
export const FOCUS_CONTENDER_FACTOR = 1.5;

export interface LinkRun {
  link: string;
  rateMbit: number | null;
  rttMs: number;
  built: boolean;
  /** Why the link could not be built or measured. */
  error?: string;
  /** Payload size on this link. */
  bytes?: number;
  qdisc?: { a: string; b: string };
  /** The owner's path estimates after its probe at connect, and at the end. */
  estimatesAfterProbe?: unknown;
  estimatesAtEnd?: unknown;
  /** Runs before the first kept one (warm-up), dropped from the medians. */
  warmup: number;
  /** Kept runs on this link (fast links get more). */
  runs?: number;
  /** Fast links: runs after the main ones that sent only these columns per payload (focusColumns). */
  focus?: { runs: number; columns: Record<string, string[]> };
  samples: Sample[];
  seconds?: number;
}

export interface RunRecord {
  machine: MachineInfo;
  command: string;
  /** The path every transfer is pinned to, or null if the negotiator chose it too. */
  path: string | null;
  /** Kept runs per cell on slow links (--runs); LinkRun.runs has each link's own. */
  runs: number;
  unavailable: string | null;
  links: LinkRun[];
}
