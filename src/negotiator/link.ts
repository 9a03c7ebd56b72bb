import { DuetError } from '../errors';
import type { PathName } from './capabilities';
import { LINK_DRIFT_FACTOR, LINK_DRIFT_STREAK, LINK_EWMA_ALPHA, LINK_MIN_THROUGHPUT_SAMPLE_BYTES } from './constants';

// What we believe about one path: RTT and throughput, from a probe at start-up and then
// from every real transfer (EWMA). When real transfers keep disagreeing with the estimate,
// `drift` asks the caller to probe again, rather than slowly trusting stale numbers.

export interface PathEstimate {
  readonly path: PathName;
  readonly rttMs: number;
  /** Payload bytes per second once a transfer is under way. */
  readonly bytesPerSecond: number;
  /** Transfers folded in since the last probe. */
  readonly samples: number;
  /** Consecutive transfers off by more than LINK_DRIFT_FACTOR. */
  readonly disagreeing: number;
  /** Set after LINK_DRIFT_STREAK disagreeing transfers: re-measure this path. */
  readonly drift: boolean;
}

export interface Transfer {
  readonly bytes: number;
  readonly ms: number;
}

export interface LinkOptions {
  alpha?: number;
  driftFactor?: number;
  driftStreak?: number;
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new DuetError('INVALID_ARGUMENT', `${name}=${v} must be a positive number.`, { reason: 'BAD_ARGUMENT' });
  return v;
}

/** A fresh estimate from a probe (or from configuration, e.g. in tests and the benchmark). */
export function probedPath(path: PathName, rttMs: number, bytesPerSecond: number): PathEstimate {
  if (!(Number.isFinite(rttMs) && rttMs >= 0)) throw new DuetError('INVALID_ARGUMENT', `rttMs=${rttMs} must be a non-negative number.`, { reason: 'BAD_ARGUMENT' });
  return { path, rttMs, bytesPerSecond: positive('bytesPerSecond', bytesPerSecond), samples: 0, disagreeing: 0, drift: false };
}

/**
 * Folds a finished transfer into the estimate (returns a new estimate). The average is kept in
 * time per byte, not bytes per second, and a transfer counts in proportion to the share of its
 * time beyond the RTT (NG22). Averaging bytes per second let one small transfer that finished
 * just past the RTT estimate read as several Gbit/s: on loopback, 0.5 MB compressed sends pushed
 * the estimate from ~1 to ~3 Gbit/s, raw 4 MB sends then looked cheaper than they were, and the
 * pick swung between raw and compressed. In time per byte a slow-down is followed within a
 * transfer or two; a speed-up is followed slowly, and drift asks for a probe.
 */
export function observeTransfer(est: PathEstimate, t: Transfer, options: LinkOptions = {}): PathEstimate {
  const alpha = options.alpha ?? LINK_EWMA_ALPHA;
  if (t.bytes < LINK_MIN_THROUGHPUT_SAMPLE_BYTES) return est;
  // The RTT share of the time is not throughput; floor it so a fast transfer cannot divide by ~0.
  const seconds = Math.max(t.ms - est.rttMs, t.ms * 0.1, 0.001) / 1000;
  const observed = t.bytes / seconds;
  const weight = seconds / (t.ms / 1000);
  const perByte = 1 / est.bytesPerSecond + alpha * weight * (seconds / t.bytes - 1 / est.bytesPerSecond);
  const factor = options.driftFactor ?? LINK_DRIFT_FACTOR;
  const off = observed > est.bytesPerSecond * factor || observed < est.bytesPerSecond / factor;
  const disagreeing = off ? est.disagreeing + 1 : 0;
  return {
    ...est,
    bytesPerSecond: 1 / perByte,
    samples: est.samples + 1,
    disagreeing,
    drift: est.drift || disagreeing >= (options.driftStreak ?? LINK_DRIFT_STREAK),
  };
}

/** Folds an RTT measurement (e.g. a control-channel ping) into the estimate. */
export function observeRtt(est: PathEstimate, rttMs: number, options: LinkOptions = {}): PathEstimate {
  const alpha = options.alpha ?? LINK_EWMA_ALPHA;
  return { ...est, rttMs: (1 - alpha) * est.rttMs + alpha * rttMs };
}

/** "20 Mbit/s", "1.2 Gbit/s": links are spoken of in bits. */
export function formatLinkSpeed(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(bits >= 1e10 ? 0 : 1)} Gbit/s`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(bits >= 1e7 ? 0 : 1)} Mbit/s`;
  return `${(bits / 1e3).toFixed(0)} kbit/s`;
}
