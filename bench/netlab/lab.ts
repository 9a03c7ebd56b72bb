// A shaped link between two network namespaces, for benchmarks (BENCHMARKS.md section 2).
//
//   ns A (client)  veth dla 10.213.N.1/30 ==== veth dlb 10.213.N.2/30  ns B (server)
//                  tbf on dla egress (A->B)      tbf on dlb egress (B->A)
//                                                delay relay (TCP/UDP), if the link has an RTT
//
// The kernel shapes the rate (tbf; netem is missing on these machines). Added RTT comes from
// the userspace delay relay in ns B: a client connects to the endpoint the lab hands out,
// which is the relay when the link has a delay, and the server itself when it does not.
// See docs/netlab.md.

import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LINKS, tbfParams, type LinkName, type LinkSpec } from './links.js';
import { NetlabError, run, type RunResult } from './shell.js';
import { nodeTsArgs, runIn, stopChild, waitForJsonLine } from './spawn.js';
import { cleanupStale, deleteNamespace, namespaceName, track, untrack } from './teardown.js';

export { LINKS, isLinkName, type LinkName, type LinkSpec } from './links.js';
export { runIn, nodeTsArgs, waitForJsonLine, stopChild } from './spawn.js';
export { cleanupStale } from './teardown.js';
export { NetlabError } from './shell.js';

export const DEFAULT_PREFIX = 'duetlab';

export interface LabOptions {
  /** A name from LINKS, or a custom spec. */
  link: LinkName | LinkSpec;
  /** Random drop, in percent (0.01 steps), on both veth ends, via nft. Needs nftables. */
  lossPercent?: number;
  /** Namespace name prefix; also what stale cleanup looks for. Letters, digits, '-'. */
  prefix?: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

export type Side = 'a' | 'b';

export interface Lab {
  readonly spec: LinkSpec;
  readonly lossPercent: number;
  /** Client namespace. */
  readonly nsA: string;
  /** Server namespace; the same as nsA on the loopback link. */
  readonly nsB: string;
  /** Addresses of each end (127.0.0.1 for both on loopback). Servers listen on addrB or 0.0.0.0. */
  readonly addrA: string;
  readonly addrB: string;
  /** veth device names inside nsA / nsB ('lo' on loopback). */
  readonly devA: string;
  readonly devB: string;
  /**
   * Where a client in A should connect to reach a TCP server listening on `serverPort` in B,
   * so that it sees the link's RTT: a delay relay in B if the link has one, else the server.
   */
  tcpEndpoint(serverPort: number, options?: EndpointOptions): Promise<Endpoint>;
  /** The same for a UDP server. */
  udpEndpoint(serverPort: number, options?: EndpointOptions): Promise<Endpoint>;
  /** Starts `cmd args` in the side's namespace; the lab stops it on close. */
  spawn(side: Side, cmd: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Starts a TypeScript file with Node + tsx in the side's namespace; stopped on close. */
  spawnNode(side: Side, script: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command to completion in the side's namespace. */
  exec(side: Side, cmd: string, args: readonly string[]): Promise<RunResult>;
  /** `tc qdisc show` of each end, to check or record the shaping. */
  qdiscs(): Promise<{ a: string; b: string }>;
  /** Stops every process the lab started and deletes its namespaces. Safe to call twice. */
  close(): Promise<void>;
}

export interface EndpointOptions {
  /** Host the relay forwards to inside B; default addrB. */
  targetHost?: string;
  /** Override the relay's one-way delay (default: half the link's RTT). */
  oneWayDelayMs?: number;
}

const RELAY_SCRIPT = fileURLToPath(new URL('./delay-relay.ts', import.meta.url));
let sequence = 0;

/** Why the lab cannot run here, or null if it can. Cheap enough for a test's skipIf. */
export async function labUnavailableReason(): Promise<string | null> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'not root: network namespaces and tc need root (or CAP_NET_ADMIN + CAP_SYS_ADMIN)';
  }
  try {
    await run('ip', ['-V']);
    await run('tc', ['-V']);
  } catch (err) {
    return (err as Error).message;
  }
  const probe = namespaceName(DEFAULT_PREFIX, process.pid, 999_999, 'l');
  try {
    await run('ip', ['netns', 'add', probe]);
  } catch (err) {
    return `'ip netns add' does not work here: ${(err as Error).message}`;
  } finally {
    await run('ip', ['netns', 'del', probe]).catch(() => undefined);
  }
  return null;
}

async function addNamespace(ns: string): Promise<void> {
  await run('ip', ['netns', 'add', ns]);
  track(ns);
}

async function shape(ns: string, dev: string, rateMbit: number): Promise<void> {
  const { rate, burstBytes, limitBytes } = tbfParams(rateMbit);
  try {
    await run('tc', ['-n', ns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', String(burstBytes), 'limit', String(limitBytes)]);
  } catch (err) {
    throw new NetlabError(`could not add a tbf qdisc (kernel lacks sch_tbf?): ${(err as Error).message}`);
  }
}

async function addLoss(ns: string, dev: string, percent: number): Promise<void> {
  // numgen gives 0..9999, so percent has 0.01 resolution. The output hook sees everything
  // sent from inside the namespace, which is all traffic on this link.
  const threshold = Math.round(percent * 100);
  const ruleset = [
    'table inet duetlab {',
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    `    oifname "${dev}" numgen random mod 10000 < ${threshold} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
  await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], ruleset);
}

function checkPrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(prefix)) {
    throw new NetlabError(`prefix must be 1-16 lowercase letters, digits or '-', starting with a letter: ${prefix}`);
  }
}

export async function createLab(options: LabOptions): Promise<Lab> {
  const spec: LinkSpec = typeof options.link === 'string' ? LINKS[options.link] : options.link;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const lossPercent = options.lossPercent ?? 0;
  checkPrefix(prefix);
  if (!(lossPercent >= 0 && lossPercent <= 100)) throw new NetlabError(`lossPercent must be in [0, 100]: ${lossPercent}`);
  if (spec.topology === 'loopback' && (spec.rateMbit !== null || lossPercent > 0)) {
    throw new NetlabError('the loopback topology is unshaped: use a veth link for rate or loss');
  }
  await cleanupStale(prefix);

  const seq = sequence++;
  const created: string[] = [];
  try {
    if (spec.topology === 'loopback') {
      const ns = namespaceName(prefix, process.pid, seq, 'l');
      await addNamespace(ns);
      created.push(ns);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      return new LabImpl(spec, 0, ns, ns, '127.0.0.1', '127.0.0.1', 'lo', 'lo', created);
    }
    const nsA = namespaceName(prefix, process.pid, seq, 'a');
    const nsB = namespaceName(prefix, process.pid, seq, 'b');
    await addNamespace(nsA);
    created.push(nsA);
    await addNamespace(nsB);
    created.push(nsB);
    const [devA, devB] = ['dla', 'dlb'];
    // Both ends are created straight inside their namespaces, so nothing ever appears in
    // the root namespace and names cannot clash with other runs.
    await run('ip', ['link', 'add', 'name', devA, 'netns', nsA, 'type', 'veth', 'peer', 'name', devB, 'netns', nsB]);
    // The namespaces have no route anywhere else, so the subnet only needs to be private;
    // varying it by seq just makes traces from parallel labs easier to tell apart.
    const subnet = `10.213.${seq % 256}`;
    const addrA = `${subnet}.1`;
    const addrB = `${subnet}.2`;
    for (const [ns, dev, addr] of [
      [nsA, devA, addrA],
      [nsB, devB, addrB],
    ] as const) {
      await run('ip', ['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', dev]);
      await run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      if (spec.rateMbit !== null) await shape(ns, dev, spec.rateMbit);
      if (lossPercent > 0) await addLoss(ns, dev, lossPercent);
    }
    return new LabImpl(spec, lossPercent, nsA, nsB, addrA, addrB, devA, devB, created);
  } catch (err) {
    for (const ns of created) {
      await deleteNamespace(ns);
      untrack(ns);
    }
    throw err;
  }
}

class LabImpl implements Lab {
  private readonly children = new Set<ChildProcess>();
  private closed = false;

  constructor(
    readonly spec: LinkSpec,
    readonly lossPercent: number,
    readonly nsA: string,
    readonly nsB: string,
    readonly addrA: string,
    readonly addrB: string,
    readonly devA: string,
    readonly devB: string,
    private readonly namespaces: readonly string[],
  ) {}

  private ns(side: Side): string {
    return side === 'a' ? this.nsA : this.nsB;
  }

  spawn(side: Side, cmd: string, args: readonly string[], options?: SpawnOptions): ChildProcess {
    if (this.closed) throw new NetlabError('lab is closed');
    const child = runIn(this.ns(side), cmd, args, options);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  spawnNode(side: Side, script: string, args: readonly string[], options?: SpawnOptions): ChildProcess {
    return this.spawn(side, process.execPath, nodeTsArgs(script, args), options);
  }

  exec(side: Side, cmd: string, args: readonly string[]): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.ns(side), cmd, ...args]);
  }

  tcpEndpoint(serverPort: number, options?: EndpointOptions): Promise<Endpoint> {
    return this.endpoint('tcp', serverPort, options);
  }

  udpEndpoint(serverPort: number, options?: EndpointOptions): Promise<Endpoint> {
    return this.endpoint('udp', serverPort, options);
  }

  private async endpoint(proto: 'tcp' | 'udp', serverPort: number, options?: EndpointOptions): Promise<Endpoint> {
    const oneWay = options?.oneWayDelayMs ?? this.spec.rttMs / 2;
    const target = options?.targetHost ?? this.addrB;
    if (oneWay <= 0) return { host: target, port: serverPort };
    const relay = this.spawnNode('b', RELAY_SCRIPT, [
      '--proto', proto,
      '--listen', `${this.addrB}:0`,
      '--target', `${target}:${serverPort}`,
      '--delay-ms', String(oneWay),
    ]);
    const ready = await waitForJsonLine(relay, (line) => line['ready'] === true);
    const port = ready['port'];
    if (typeof port !== 'number') throw new NetlabError(`relay reported no port: ${JSON.stringify(ready)}`);
    return { host: this.addrB, port };
  }

  async qdiscs(): Promise<{ a: string; b: string }> {
    const show = async (ns: string, dev: string): Promise<string> =>
      (await run('tc', ['-n', ns, 'qdisc', 'show', 'dev', dev])).stdout.trim();
    return { a: await show(this.nsA, this.devA), b: await show(this.nsB, this.devB) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.children].map((child) => stopChild(child)));
    for (const ns of this.namespaces) {
      await deleteNamespace(ns);
      untrack(ns);
    }
  }
}

/** Builds a lab, runs `body`, and always tears the lab down. */
export async function withLab<T>(options: LabOptions, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await createLab(options);
  try {
    return await body(lab);
  } finally {
    await lab.close();
  }
}
