// A tensor through the hub's Flight relay when sender and receiver are both across a link from
// the hub, as two tabs far from a hosted hub are. Three ways, side by side, run by run interleaved:
//   ask    asks the hub for a ticket first, default (4 MiB) batches: every transfer before FL17;
//   spare  takes the ticket the sender keeps ready (FL17), default batches;
//   sized  the spare ticket and batches sized to the link (NG23, relayBatchBytes at the link's rate).
//   npm run bench:relay-latency -- [--runs 15]
// Writes docs/benchmarks/relay-latency.{json,md}. Needs root (network namespaces).

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { relayBatchBytes } from '../src/duet/negotiation';
import { ChildLines } from './negotiator/child';
import { flag } from './negotiator/protocol';
import { createLab, labUnavailableReason, LINKS, type LinkSpec } from './netlab/lab';
import { machineInfo } from './netlab/machine';
import { summarize } from './netlab/stats';

const HERE = fileURLToPath(new URL('./relay-latency/', import.meta.url));
const OUT = fileURLToPath(new URL('../docs/benchmarks/relay-latency', import.meta.url));
const RUNS = Number(flag('--runs') ?? 15);
const MODES = ['ask', 'spare', 'sized'] as const;
type Mode = (typeof MODES)[number];
const WAN: LinkSpec = { name: 'wan', rateMbit: 100, rttMs: 40, topology: 'veth' };
const LINKS_MEASURED: LinkSpec[] = [LINKS.loopback, LINKS['200mbit'], LINKS['20mbit'], WAN];
/** 1 kB (latency-bound), 1 MB (one default batch), 4 MB. */
const SIZES = [1_000, 1_000_000, 4_000_000];

interface Row {
  link: string;
  rate_mbit: number | null;
  rtt_ms: number;
  bytes: number;
  mode: Mode;
  batch_bytes: number | null;
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
}

/** The batch the negotiator would pick on this link, were its estimate the link's rate; loopback keeps the default. */
function sizedBatch(link: LinkSpec): number | undefined {
  return link.rateMbit === null ? undefined : relayBatchBytes((link.rateMbit * 1e6) / 8);
}

async function measure(link: LinkSpec): Promise<Row[]> {
  const lab = await createLab({ link, prefix: 'duetlat' });
  try {
    const hub = new ChildLines('hub', lab.spawnNode('b', `${HERE}hub.ts`, []));
    const { port } = await hub.next((l) => l['ready'] === true, 60_000);
    const at = await lab.tcpEndpoint(Number(port));
    const peers = new ChildLines('peers', lab.spawnNode('a', `${HERE}peers.ts`, ['--flight', `${at.host}:${at.port}`]));
    await peers.next((l) => l['ready'] === true, 60_000);
    const batch = sizedBatch(link);
    const ms = new Map<string, number[]>();
    // One warm-up run, then RUNS kept; the modes rotate within each run.
    for (let run = 0; run <= RUNS; run++) {
      for (const bytes of SIZES) {
        for (let k = 0; k < MODES.length; k++) {
          const mode = MODES[(run + k) % MODES.length]!;
          const id = `${link.name}-${bytes}-${mode}-${run}`;
          peers.send({ cmd: 'move', id, bytes, ticket: mode === 'ask' ? 'ask' : 'spare', ...(mode === 'sized' && batch !== undefined ? { batchBytes: batch } : {}) });
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
        const batchBytes = mode === 'sized' ? (batch ?? null) : null;
        return { link: link.name, rate_mbit: link.rateMbit, rtt_ms: link.rttMs, bytes, mode, batch_bytes: batchBytes, runs: s.n, median_ms: round(s.median), min_ms: round(s.min), max_ms: round(s.max) };
      }),
    );
  } finally {
    await lab.close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
const size = (b: number) => (b >= 1e6 ? `${b / 1e6} MB` : `${b / 1e3} kB`);

function markdown(rows: Row[], machine: object, date: string): string {
  const lines = [
    '# A tensor through the relay, both sides far from the hub',
    '',
    `Measured ${date} by \`npm run bench:relay-latency -- --runs ${RUNS}\`. A producer and a consumer (two Node`,
    'Flight clients of one session, in one process) sit across a link from the hub, as two tabs far from a hosted',
    'hub would. Each run moves a uint8 tensor through the relay three ways, in a rotating order:',
    '',
    '- **ask**: the sender asks the hub for a ticket first, default 4 MiB batches (every transfer before FL17);',
    '- **spare**: the sender takes the ticket it keeps ready (FL17), default batches;',
    "- **sized**: the spare ticket, and batches of `relayBatchBytes(link rate)` (NG23: 25 ms of link time each; the negotiator uses its measured estimate, here the link's nominal rate stands in for it; loopback keeps the default).",
    '',
    'Milliseconds from asking for the ticket to the consumer holding the verified tensor. Links are shaped in the',
    'kernel (netlab: veth + `tc tbf`, the round trip added by a delaying relay). Not included: the announcement to',
    'the receiver (over the DataChannel in the app), the same in every mode. On loopback there is nothing to size,',
    "so spare and sized are the same configuration there: their ratio shows this machine's noise.",
    '',
    `Machine: \`${JSON.stringify(machine)}\`.`,
    '',
    '| link | rate | RTT | tensor | mode | batch | median ms | min | max |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.link} | ${r.rate_mbit === null ? '-' : `${r.rate_mbit} Mbit/s`} | ${r.rtt_ms} ms | ${size(r.bytes)} | ${r.mode} | ${r.batch_bytes === null ? 'default' : `${r.batch_bytes} B`} | ${r.median_ms} | ${r.min_ms} | ${r.max_ms} |`),
    '',
    '## Ratios (medians of the same run)',
    '',
    '| link | tensor | ask / spare | spare / sized | ask / sized |',
    '|---|---|---|---|---|',
  ];
  for (const link of [...new Set(rows.map((r) => r.link))]) {
    for (const bytes of SIZES) {
      const m = (mode: Mode) => rows.find((r) => r.link === link && r.bytes === bytes && r.mode === mode)?.median_ms ?? NaN;
      lines.push(`| ${link} | ${size(bytes)} | ${(m('ask') / m('spare')).toFixed(2)}x | ${(m('spare') / m('sized')).toFixed(2)}x | ${(m('ask') / m('sized')).toFixed(2)}x |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const unavailable = await labUnavailableReason();
if (unavailable !== null) throw new Error(`relay-latency needs the netlab: ${unavailable}`);
const rows: Row[] = [];
for (const link of LINKS_MEASURED) rows.push(...(await measure(link)));
const machine = await machineInfo();
const date = new Date().toISOString();
await writeFile(`${OUT}.json`, `${JSON.stringify({ machine, date, rows }, null, 2)}\n`);
await writeFile(`${OUT}.md`, markdown(rows, machine, date));
process.stderr.write(`wrote ${OUT}.{json,md}\n`);
