import { DuetError } from '../../errors';
import { tensor } from '../../tensor';
import type { ControlChannel } from '../../transport/control-channel';
import type { PathName } from '../../transport/paths/types';
import { defineMethod } from '../../transport/rpc-types';
import { randomId } from '../../util/bytes';
import { LinkProbeRequestSchema, LinkProbeResponseSchema } from '../../wire/gen/duet/v1/negotiation_pb';
import type { Session } from '../session';
import type { Transfers } from '../transfers';
import { PROBE_GROWTH, PROBE_LATENCY_BYTES, PROBE_MAX_BYTES, PROBE_MIN_MS, PROBE_START_BYTES, PROBE_TIMEOUT_MS, PROBE_TRANSFER_PREFIX } from './constants';

// A short probe of one path: real (tiny) tensor transfers over that path, so the figures
// include what every transfer pays there (the announce, Arrow framing, hashing, sealing, a
// Flight ticket), not just what the bare transport could do. First a tiny transfer, twice,
// for the fixed cost per transfer; then transfers that grow until their bytes take long
// enough to time (PROBE_MIN_MS) or reach PROBE_MAX_BYTES.

export const LinkProbe = defineMethod('duet.negotiation.probe', LinkProbeRequestSchema, LinkProbeResponseSchema);

/** Times one probe transfer of `bytes`, in ms. */
export type ProbeMeasure = (bytes: number) => Promise<number>;

export interface ProbeLimits {
  latencyBytes: number;
  startBytes: number;
  maxBytes: number;
  minMs: number;
  growth: number;
}

export const PROBE_LIMITS: ProbeLimits = {
  latencyBytes: PROBE_LATENCY_BYTES,
  startBytes: PROBE_START_BYTES,
  maxBytes: PROBE_MAX_BYTES,
  minMs: PROBE_MIN_MS,
  growth: PROBE_GROWTH,
};

export interface ProbeResult {
  /** The fixed cost of one transfer on this path (choose() treats it as the RTT). */
  rttMs: number;
  bytesPerSecond: number;
  /** Every probe transfer, in order. */
  probes: { bytes: number; ms: number }[];
}

export async function probeLink(measure: ProbeMeasure, limits: ProbeLimits = PROBE_LIMITS): Promise<ProbeResult> {
  const probes: { bytes: number; ms: number }[] = [];
  const timed = async (bytes: number) => {
    const ms = await measure(bytes);
    probes.push({ bytes, ms });
    return ms;
  };
  // Twice, keeping the faster: the first transfer on a path may pay one-off set-up (agreeing
  // the seal key, opening the Flight connection) that later transfers do not.
  const latency = Math.min(await timed(limits.latencyBytes), await timed(limits.latencyBytes));
  let previous: { bytes: number; ms: number } | undefined;
  for (let bytes = limits.startBytes; ; bytes = Math.min(bytes * limits.growth, limits.maxBytes)) {
    const ms = await timed(bytes);
    // The share of the time spent moving bytes; floored as observeTransfer() does, so a
    // noisy latency figure cannot make it zero or negative.
    const moving = Math.max(ms - latency, ms * 0.1, 0.001);
    if (moving >= limits.minMs || bytes >= limits.maxBytes) {
      const rttMs = previous ? fixedCost(previous, { bytes, ms }, latency) : latency;
      return { rttMs, bytesPerSecond: bytes / (Math.max(ms - rttMs, ms * 0.1, 0.001) / 1000), probes };
    }
    previous = { bytes, ms };
  }
}

/**
 * The fixed cost per transfer, as the intercept of the line through the two largest probes,
 * capped by the latency probe. A tiny transfer can cost more than the fixed share of a large
 * one (measured on loopback Flight: 9.6 ms for 8 bytes, while 1.3 MB took 17 ms and 16.7 MB
 * 248 ms, i.e. ~0 ms fixed): taken as the fixed cost, it made every mid-sized transfer look
 * twice as fast as the link.
 */
function fixedCost(a: { bytes: number; ms: number }, b: { bytes: number; ms: number }, latency: number): number {
  if (!(b.ms > a.ms)) return latency;
  const msPerByte = (b.ms - a.ms) / (b.bytes - a.bytes);
  return Math.min(latency, Math.max(0, b.ms - b.bytes * msPerByte));
}

/**
 * The sender's half: one probe transfer of `bytes` over `path`. The time is the receiver's,
 * from TransferStart's arrival to the last byte: exactly what TransferReport later says of
 * real transfers, so probes and reports speak of the same thing. (Timed at the sender, the
 * probe's fixed cost would also hold the request and the Flight ticket, which reports do not;
 * then every small transfer looked many times faster than the link.)
 */
export function probeOver(transfers: Transfers, channel: ControlChannel, peerId: string, path: PathName): ProbeMeasure {
  return async (bytes) => {
    const transferId = `${PROBE_TRANSFER_PREFIX}${randomId(12)}`;
    const payload = tensor('uint8', [bytes], new Uint8Array(bytes));
    // The request goes out before the TransferStart on the same ordered channel, so the
    // receiver expects the transfer before it is announced.
    const [answer] = await Promise.all([
      channel.call(LinkProbe, { transferId }, { timeoutMs: PROBE_TIMEOUT_MS }),
      transfers.send(payload, { transferId, peerId, path, codec: 'none' }),
    ]);
    return answer.ms;
  };
}

/** The receiver's half: expects each probe transfer the peer asks about and answers once it has arrived. */
export function serveProbes(session: Session, transfers: Transfers): void {
  session.handle(LinkProbe, async (req, ctx) => {
    if (!req.transferId.startsWith(PROBE_TRANSFER_PREFIX)) {
      throw new DuetError('INVALID_ARGUMENT', `A link probe must use a transfer id starting "${PROBE_TRANSFER_PREFIX}".`, { reason: 'MALFORMED_MESSAGE' });
    }
    let announced = 0;
    const got = await transfers.expect(req.transferId, { signal: ctx.signal, timeoutMs: PROBE_TIMEOUT_MS, onStart: () => (announced = performance.now()) });
    return { bytes: BigInt(got.data.byteLength), ms: performance.now() - announced };
  });
}
