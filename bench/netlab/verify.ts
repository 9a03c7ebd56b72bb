// Builds each link, measures what it really gives, and writes docs/benchmarks/netlab.{json,md,svg}.
//   npx tsx bench/netlab/verify.ts [--links 2mbit,20mbit,200mbit,veth,loopback] [--runs 5]
// Rate: bulk TCP transfers through the endpoint a benchmark would use (the delay relay where
// the link has an RTT), each direction, one warm-up pair dropped, median of --runs.
// RTT: TCP and UDP ping-pong of 32 bytes, median of 50, through the same endpoint, and
// straight to the server (no relay) as the base.

import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLab, isLinkName, labUnavailableReason, LINKS, waitForJsonLine, type Lab, type LinkName } from './lab.js';
import { machineInfo } from './machine.js';
import { parseProbeResult, type ProbeResult } from './probe-result.js';
import { probeQdiscs } from './qdisc-probe.js';
import { PINGS, renderMarkdown, renderSvg, type LinkReport, type LossReport, type VerifyReport } from './report.js';
import { summarize } from './stats.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SERVER = `${HERE}probe-server.ts`;
const CLIENT = `${HERE}probe-client.ts`;
const OUT_DIR = fileURLToPath(new URL('../../docs/benchmarks/', import.meta.url));
const PREFIX = 'duetlab';

/** Bytes per bulk run: a few seconds at the link's rate, so the bucket's burst is noise. */
const BULK_BYTES: Record<LinkName, number> = {
  '2mbit': 1_000_000,
  '20mbit': 5_000_000,
  '200mbit': 32_000_000,
  veth: 64_000_000,
  loopback: 64_000_000,
};

interface Endpoints {
  tcp: { host: string; port: number };
  udp: { host: string; port: number };
}

async function startServer(lab: Lab): Promise<{ tcpPort: number; udpPort: number }> {
  const server = lab.spawnNode('b', SERVER, ['--host', '0.0.0.0']);
  const ready = await waitForJsonLine(server, (line) => line['ready'] === true);
  const { tcpPort, udpPort } = ready;
  if (typeof tcpPort !== 'number' || typeof udpPort !== 'number') throw new Error('probe server gave no ports');
  return { tcpPort, udpPort };
}

async function runClient(lab: Lab, to: Endpoints, pings: number, bulkBytes: number, bulkRuns: number): Promise<ProbeResult> {
  const client = lab.spawnNode('a', CLIENT, [
    '--tcp', `${to.tcp.host}:${to.tcp.port}`,
    '--udp', `${to.udp.host}:${to.udp.port}`,
    '--pings', String(pings),
    '--bulk-bytes', String(bulkBytes),
    '--bulk-runs', String(bulkRuns),
  ]);
  const line = await waitForJsonLine(client, (l) => 'result' in l, 15 * 60_000);
  return parseProbeResult(line['result']);
}

const mbit = (bytes: number, ms: number): number => (bytes * 8) / (ms * 1000);

async function measureLink(name: LinkName, runs: number): Promise<LinkReport> {
  const spec = LINKS[name];
  const report: LinkReport = { link: name, targetRateMbit: spec.rateMbit, targetRttMs: spec.rttMs, built: false };
  let lab: Lab | null = null;
  try {
    lab = await createLab({ link: name, prefix: PREFIX });
    report.built = true;
    report.namespaces = [lab.nsA, lab.nsB];
    if (spec.topology === 'veth') report.qdisc = await lab.qdiscs();
    const { tcpPort, udpPort } = await startServer(lab);
    const direct: Endpoints = { tcp: { host: lab.addrB, port: tcpPort }, udp: { host: lab.addrB, port: udpPort } };
    const relayed: Endpoints = { tcp: await lab.tcpEndpoint(tcpPort), udp: await lab.udpEndpoint(udpPort) };
    report.path = spec.rttMs > 0 ? 'delay relay in B' : 'direct';

    if (spec.rttMs > 0) {
      const base = await runClient(lab, direct, PINGS, 0, 0);
      report.baseTcpRttMs = summarize(base.tcpRttMs);
    }
    // runs + 1: the first up/down pair is a warm-up (JIT, socket buffers) and is dropped.
    const result = await runClient(lab, relayed, PINGS, BULK_BYTES[name], runs + 1);
    const measured = result.bulk.slice(2);
    report.tcpRttMs = summarize(result.tcpRttMs);
    report.udpRttMs = summarize(result.udpRttMs);
    report.udpLost = result.udpLost;
    report.bulkBytes = BULK_BYTES[name];
    report.allHashesOk = result.bulk.every((r) => r.hashOk);
    for (const direction of ['up', 'down'] as const) {
      const these = measured.filter((r) => r.direction === direction);
      report[direction === 'up' ? 'upMbit' : 'downMbit'] = summarize(these.map((r) => mbit(r.bytes, r.firstToLastMs)));
      report[direction === 'up' ? 'upAppMbit' : 'downAppMbit'] = summarize(these.map((r) => mbit(r.bytes, r.totalMs)));
    }
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
  } finally {
    await lab?.close();
  }
  process.stderr.write(`verify: ${name}: ${report.error ?? 'done'}\n`);
  return report;
}

/** nft random drop: round-trip UDP loss should be about 1 - (1 - p)^2. */
async function measureLoss(percent: number): Promise<LossReport> {
  const report: LossReport = { link: '20mbit', lossPercent: percent, built: false };
  let lab: Lab | null = null;
  try {
    lab = await createLab({ link: '20mbit', lossPercent: percent, prefix: PREFIX });
    report.built = true;
    const { tcpPort, udpPort } = await startServer(lab);
    const to: Endpoints = { tcp: await lab.tcpEndpoint(tcpPort), udp: await lab.udpEndpoint(udpPort) };
    const pings = 200;
    const result = await runClient(lab, to, pings, 2_000_000, 2);
    report.udpPings = pings;
    report.udpLost = result.udpLost;
    report.expectedRoundTripLossPercent = (1 - (1 - percent / 100) ** 2) * 100;
    report.allHashesOk = result.bulk.every((r) => r.hashOk);
    report.tcpMbit = summarize(result.bulk.map((r) => mbit(r.bytes, r.firstToLastMs)));
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
  } finally {
    await lab?.close();
  }
  process.stderr.write(`verify: loss ${percent}%: ${report.error ?? 'done'}\n`);
  return report;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const names = (flag('--links') ?? '2mbit,20mbit,200mbit,veth,loopback').split(',');
  const runs = Number(flag('--runs') ?? 5);
  for (const name of names) if (!isLinkName(name)) throw new Error(`unknown link ${name}; known: ${Object.keys(LINKS).join(', ')}`);

  const report: VerifyReport = { machine: await machineInfo(), runs, unavailable: await labUnavailableReason(), links: [] };
  if (report.unavailable === null) {
    report.qdiscs = await probeQdiscs(PREFIX);
    for (const name of names as LinkName[]) report.links.push(await measureLink(name, runs));
    report.loss = await measureLoss(5);
    report.loadAverageAtEnd = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  } else {
    process.stderr.write(`verify: the lab cannot run here: ${report.unavailable}\n`);
  }

  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(`${OUT_DIR}netlab.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${OUT_DIR}netlab.md`, renderMarkdown(report));
  await writeFile(`${OUT_DIR}netlab.svg`, renderSvg(report));
  process.stderr.write(`verify: wrote ${OUT_DIR}netlab.{json,md,svg}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`verify: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
