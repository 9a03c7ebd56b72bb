// The links of BENCHMARKS.md section 2, as data. Rate is shaped in the kernel (tbf);
// RTT is added by the userspace delay relay (the kernel here has no netem).

export interface LinkSpec {
  /** Short name used in reports and namespace names. */
  readonly name: string;
  /** Shaped rate in megabit/s (10^6 bit/s, as tc's "mbit"), or null for unshaped. */
  readonly rateMbit: number | null;
  /** Target round-trip time in ms that the delay relay adds; 0 for none. */
  readonly rttMs: number;
  /**
   * 'veth': two namespaces joined by a veth pair (client in A, server in B).
   * 'loopback': one namespace, both ends on 127.0.0.1, nothing shaped.
   */
  readonly topology: 'veth' | 'loopback';
}

export const LINKS = {
  '2mbit': { name: '2mbit', rateMbit: 2, rttMs: 50, topology: 'veth' },
  '20mbit': { name: '20mbit', rateMbit: 20, rttMs: 20, topology: 'veth' },
  '200mbit': { name: '200mbit', rateMbit: 200, rttMs: 5, topology: 'veth' },
  // The unshaped veth is not in BENCHMARKS.md; it shows the ceiling of the lab itself.
  veth: { name: 'veth', rateMbit: null, rttMs: 0, topology: 'veth' },
  loopback: { name: 'loopback', rateMbit: null, rttMs: 0, topology: 'loopback' },
} as const satisfies Record<string, LinkSpec>;

export type LinkName = keyof typeof LINKS;

export function isLinkName(value: string): value is LinkName {
  return Object.hasOwn(LINKS, value);
}

/**
 * tbf parameters for a rate. Why these numbers:
 * - burst: the bucket must hold at least one full-size frame, and enough for a timer tick
 *   at high rates, or tbf undershoots; a few ms of the rate, at least 4 KiB.
 * - limit: the bottleneck queue. About 100 ms of the rate (at least 64 KiB), like a modest
 *   real router buffer; TCP fills it, and its drops are how TCP learns the rate.
 */
export function tbfParams(rateMbit: number): { rate: string; burstBytes: number; limitBytes: number } {
  const bytesPerSec = (rateMbit * 1_000_000) / 8;
  const burstBytes = Math.max(4096, Math.round(bytesPerSec * 0.004));
  const limitBytes = Math.max(64 * 1024, Math.round(bytesPerSec * 0.1));
  return { rate: `${rateMbit}mbit`, burstBytes, limitBytes };
}
