// Spare tickets, measured: a small tensor through the hub's Flight relay when the sender first
// asks the hub for a ticket, and when it takes the spare it keeps (FL17), side by side, run by
// run interleaved. Producer and consumer sit across a link from the hub, as two tabs far from it.
//   npm run bench:ticket-spare -- [--runs 15]
// Writes docs/benchmarks/ticket-spare.{json,md}. Needs root (network namespaces).

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ChildLines } from './negotiator/child';
import { flag } from './negotiator/protocol';
import { createLab, labUnavailableReason, LINKS, type LinkSpec } from './netlab/lab';
import { machineInfo } from './netlab/machine';
import { summarize } from './netlab/stats';

const HERE = fileURLToPath(new URL('./ticket-spare/', import.meta.url));
const OUT = fileURLToPath(new URL('../docs/benchmarks/ticket-spare', import.meta.url));
const RUNS = Number(flag('--runs') ?? 15);
const MODES = ['ask', 'spare'] as const;
const WAN: LinkSpec = { name: 'wan', rateMbit: 100, rttMs: 40, topology: 'veth' };
const LINKS_MEASURED: LinkSpec[] = [LINKS.loopback, LINKS['200mbit'], LINKS['20mbit'], WAN];
/** A 1 kB tensor (latency-bound) and a 1 MB one. */
const SIZES = [1_000, 1_000_000];

interface Row {
  link: string;
  rate_mbit: number | null;
  rtt_ms: number;
  bytes: number;
  mode: (typeof MODES)[number];
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
}

async function measure(link: LinkSpec): Promise<Row[]> {
  const lab = await createLab({ link, prefix: 'duettik' });
  try {
    const hub = new ChildLines('hub', lab.spawnNode('b', `${HERE}hub.ts`, []));
    const { port } = await hub.next((l) => l['ready'] === true, 60_000);
    const at = await lab.tcpEndpoint(Number(port));
    const peers = new ChildLines('peers', lab.spawnNode('a', `${HERE}peers.ts`, ['--flight', `${at.host}:${at.port}`]));
    await peers.next((l) => l['ready'] === true, 60_000);
    const ms = new Map<string, number[]>();
    // One warm-up run, then RUNS kept; the modes alternate within each run.
    for (let run = 0; run <= RUNS; run++) {
      for (const bytes of SIZES) {
        for (const mode of run % 2 === 0 ? MODES : [...MODES].reverse()) {
          const id = `${link.name}-${bytes}-${mode}-${run}`;
          peers.send({ cmd: 'move', id, mode, bytes });
          const done = await peers.next((l) => l['moved'] === id || 'error' in l, 120_000);
          if (!('moved' in done) || done['ok'] !== true) throw new Error(`${id}: ${JSON.stringify(done)}`);
          if (run > 0) ms.set(`${bytes}/${mode}`, [...(ms.get(`${bytes}/${mode}`) ?? []), Number(done['ms'])]);
          process.stderr.write(`${id}: ${Number(done['ms']).toFixed(1)} ms\n`);
          // Room for the spare's refill, as a person's next cell would leave.
          await new Promise((r) => setTimeout(r, 20 + 2 * link.rttMs));
        }
      }
    }
    return SIZES.flatMap((bytes) =>
      MODES.map((mode) => {
        const s = summarize(ms.get(`${bytes}/${mode}`) ?? []);
        if (s === null) throw new Error(`${link.name}: no runs`);
        return { link: link.name, rate_mbit: link.rateMbit, rtt_ms: link.rttMs, bytes, mode, runs: s.n, median_ms: round(s.median), min_ms: round(s.min), max_ms: round(s.max) };
      }),
    );
  } finally {
    await lab.close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

function markdown(rows: Row[], machine: object, date: string): string {
  const lines = [
    '# Spare tickets',
    '',
    `Measured ${date} by \`npm run bench:ticket-spare -- --runs ${RUNS}\`. A producer and a consumer (two Node`,
    'Flight clients of one session, in one process) sit across a link from the hub, as two tabs far from it would.',
    'Each run moves a uint8 tensor through the relay: **ask** asks the hub for a ticket first (as every transfer',
    'did before FL17), **spare** takes the ticket the sender keeps ready. Milliseconds from asking for the ticket',
    'to the consumer holding the verified tensor; the modes alternate within each run. Links are shaped in the',
    'kernel (netlab: veth + `tc tbf`, the round trip added by a delaying relay). Not included: the announcement to',
    'the receiver (over the DataChannel in the app), the same in both modes.',
    '',
    `Machine: \`${JSON.stringify(machine)}\`.`,
    '',
    '| link | rate | RTT | tensor | mode | median ms | min | max |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.link} | ${r.rate_mbit === null ? '-' : `${r.rate_mbit} Mbit/s`} | ${r.rtt_ms} ms | ${r.bytes / 1e3} kB | ${r.mode} | ${r.median_ms} | ${r.min_ms} | ${r.max_ms} |`),
    '',
    '## Saved per transfer (ask minus spare, medians of the same run)',
    '',
  ];
  for (const link of [...new Set(rows.map((r) => r.link))]) {
    for (const bytes of SIZES) {
      const ask = rows.find((r) => r.link === link && r.bytes === bytes && r.mode === 'ask');
      const spare = rows.find((r) => r.link === link && r.bytes === bytes && r.mode === 'spare');
      if (ask && spare) lines.push(`- ${link}, ${bytes / 1e3} kB: ${round(ask.median_ms - spare.median_ms)} ms (${(ask.median_ms / spare.median_ms).toFixed(2)}x; RTT ${ask.rtt_ms} ms)`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const unavailable = await labUnavailableReason();
if (unavailable !== null) throw new Error(`ticket-spare needs the netlab: ${unavailable}`);
const rows: Row[] = [];
for (const link of LINKS_MEASURED) rows.push(...(await measure(link)));
const machine = await machineInfo();
const date = new Date().toISOString();
await writeFile(`${OUT}.json`, `${JSON.stringify({ machine, date, rows }, null, 2)}\n`);
await writeFile(`${OUT}.md`, markdown(rows, machine, date));
process.stderr.write(`wrote ${OUT}.{json,md}\n`);
