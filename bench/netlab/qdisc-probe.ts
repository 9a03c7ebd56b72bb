// Which qdiscs this kernel has, found by trying each on a veth in a scratch namespace.
// Kernels ship qdiscs as modules or not at all; `tc` only says "unknown" when it tries.

import { run } from './shell.js';
import { namespaceName, track, untrack } from './teardown.js';

/** The candidates, with the smallest arguments each accepts. */
const CANDIDATES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['tbf', ['rate', '20mbit', 'burst', '10000', 'limit', '65536']],
  ['htb', ['default', '1']],
  ['netem', ['delay', '10ms']],
  ['pfifo', []],
  ['bfifo', []],
  ['pfifo_fast', []],
  ['fq_codel', []],
  ['fq', []],
  ['codel', []],
  ['sfq', []],
  ['cake', ['bandwidth', '20mbit']],
  ['hfsc', ['default', '1']],
  ['prio', []],
  ['red', ['limit', '400000', 'min', '30000', 'max', '90000', 'avpkt', '1000', 'burst', '55', 'bandwidth', '20mbit']],
  ['drr', []],
  ['pie', []],
];

export interface QdiscSupport {
  available: string[];
  missing: string[];
  /** `ingress` is not a root qdisc; it is tried on its own. */
  ingress: boolean;
  /** nft's `queue` verdict (NFQUEUE), the other way a userspace delay could be built. */
  nftQueue: boolean | null;
}

export async function probeQdiscs(prefix: string): Promise<QdiscSupport> {
  const nsA = namespaceName(prefix, process.pid, 900_000, 'a');
  const nsB = namespaceName(prefix, process.pid, 900_000, 'b');
  const result: QdiscSupport = { available: [], missing: [], ingress: false, nftQueue: null };
  await run('ip', ['netns', 'add', nsA]);
  track(nsA);
  try {
    await run('ip', ['netns', 'add', nsB]);
    track(nsB);
    await run('ip', ['link', 'add', 'name', 'qa', 'netns', nsA, 'type', 'veth', 'peer', 'name', 'qb', 'netns', nsB]);
    for (const [kind, args] of CANDIDATES) {
      const ok = await run('tc', ['-n', nsA, 'qdisc', 'replace', 'dev', 'qa', 'root', kind, ...args]).then(
        () => true,
        () => false,
      );
      (ok ? result.available : result.missing).push(kind);
    }
    result.ingress = await run('tc', ['-n', nsA, 'qdisc', 'add', 'dev', 'qa', 'ingress']).then(
      () => true,
      () => false,
    );
    const rules = 'table inet q { chain c { type filter hook output priority 0; meta l4proto udp queue num 3 bypass; } }\n';
    result.nftQueue = await run('ip', ['netns', 'exec', nsA, 'nft', '-f', '-'], rules).then(
      () => true,
      (err: Error) => (/not found on PATH/.test(err.message) ? null : false),
    );
  } finally {
    for (const ns of [nsA, nsB]) {
      await run('ip', ['netns', 'del', ns]).catch(() => undefined);
      untrack(ns);
    }
  }
  return result;
}
