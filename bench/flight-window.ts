// The hub's HTTP/2 receive window, measured: a Node producer's DoPut into the hub's relay with
// grpc-js's default window (64 KiB) and with FLIGHT_STREAM_WINDOW_BYTES, side by side, run by
// run interleaved, over loopback and over links shaped in the kernel (netlab).
//   npx tsx bench/flight-window.ts [--runs 5]
// Writes docs/benchmarks/flight-window.{json,md}. Needs root (network namespaces).

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FLIGHT_STREAM_WINDOW_BYTES, FLIGHT_STREAM_WINDOW_RANGE } from '../signaling-server/flight';
import { ChildLines } from './negotiator/child';
import { flag } from './negotiator/protocol';
import { createLab, labUnavailableReason, LINKS, type LinkSpec } from './netlab/lab';
import { machineInfo } from './netlab/machine';
import { summarize } from './netlab/stats';

const HERE = fileURLToPath(new URL('./flight-window/', import.meta.url));
const OUT = fileURLToPath(new URL('../docs/benchmarks/flight-window', import.meta.url));
const RUNS = Number(flag('--runs') ?? 5);
const WINDOWS = [FLIGHT_STREAM_WINDOW_RANGE.min, FLIGHT_STREAM_WINDOW_BYTES];
/** A long-haul link: 64 KiB per 40 ms round trip is 13 Mbit/s, far below its rate. */
const WAN: LinkSpec = { name: 'wan', rateMbit: 100, rttMs: 40, topology: 'veth' };
const CASES: { link: LinkSpec; bytes: number }[] = [
  { link: LINKS.loopback, bytes: 72_000_000 },
  { link: LINKS['200mbit'], bytes: 16_000_000 },
  { link: WAN, bytes: 8_000_000 },
];

interface Row {
  link: string;
  rate_mbit: number | null;
  rtt_ms: number;
  bytes: number;
  stream_window_bytes: number;
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  mb_per_s: number;
}

async function measure(link: LinkSpec, bytes: number): Promise<Row[]> {
  const lab = await createLab({ link, prefix: 'duetwin' });
  try {
    const pairs = await Promise.all(
      WINDOWS.map(async (w) => {
        const hub = new ChildLines(`hub-${w}`, lab.spawnNode('b', `${HERE}hub.ts`, ['--stream-window', String(w)]));
        const { port } = await hub.next((l) => l['ready'] === true, 60_000);
        const at = await lab.tcpEndpoint(Number(port));
        const up = new ChildLines(`uploader-${w}`, lab.spawnNode('a', `${HERE}uploader.ts`, ['--flight', `${at.host}:${at.port}`, '--bytes', String(bytes)]));
        await up.next((l) => l['ready'] === true, 60_000);
        return { w, hub, up, ms: [] as number[] };
      }),
    );
    // One warm-up run, then RUNS kept; the windows alternate within each run.
    for (let run = 0; run <= RUNS; run++) {
      for (const p of run % 2 === 0 ? pairs : [...pairs].reverse()) {
        const id = `${link.name}-${p.w}-${run}`;
        p.hub.send({ cmd: 'sink', id });
        const { ticket } = await p.hub.next((l) => l['sink'] === id, 30_000);
        p.up.send({ cmd: 'put', id, ticket });
        const done = await p.up.next((l) => l['put'] === id || 'error' in l, 300_000);
        if (!('put' in done)) throw new Error(`${id}: ${JSON.stringify(done)}`);
        if (run > 0) p.ms.push(Number(done['ms']));
        process.stderr.write(`${id}: ${Number(done['ms']).toFixed(0)} ms\n`);
      }
    }
    return pairs.map(({ w, ms }) => {
      const s = summarize(ms);
      if (s === null) throw new Error(`${link.name}: no runs`);
      return { link: link.name, rate_mbit: link.rateMbit, rtt_ms: link.rttMs, bytes, stream_window_bytes: w, runs: s.n, median_ms: round(s.median), min_ms: round(s.min), max_ms: round(s.max), mb_per_s: round(bytes / 1e3 / s.median) };
    });
  } finally {
    await lab.close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
const kib = (b: number) => (b >= 1024 * 1024 ? `${b / 1024 / 1024} MiB` : `${Math.round(b / 1024)} KiB`);

function markdown(rows: Row[], machine: object, date: string): string {
  const lines = [
    '# The hub\'s HTTP/2 receive window',
    '',
    `Measured ${date} by \`npx tsx bench/flight-window.ts --runs ${RUNS}\`: a Node producer's DoPut of a float64`,
    'tensor into the hub\'s relay (drained inside the hub), with grpc-js\'s default stream window and with',
    '`FLIGHT_STREAM_WINDOW_BYTES`, interleaved run by run. Links are shaped in the kernel (netlab: veth +',
    '`tc tbf`, the round trip added by a delaying relay). Machine: `' + JSON.stringify(machine) + '`.',
    '',
    '| link | rate | RTT | tensor | stream window | median ms | min | max | MB/s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.link} | ${r.rate_mbit === null ? '-' : `${r.rate_mbit} Mbit/s`} | ${r.rtt_ms} ms | ${r.bytes / 1e6} MB | ${kib(r.stream_window_bytes)} | ${r.median_ms} | ${r.min_ms} | ${r.max_ms} | ${r.mb_per_s} |`),
    '',
    '## Ratios (default window / ours, same run)',
    '',
  ];
  for (const link of [...new Set(rows.map((r) => r.link))]) {
    const [a, b] = rows.filter((r) => r.link === link);
    if (a && b) lines.push(`- ${link}: ${(a.median_ms / b.median_ms).toFixed(2)}x`);
  }
  return `${lines.join('\n')}\n`;
}

const unavailable = await labUnavailableReason();
if (unavailable !== null) throw new Error(`flight-window needs the netlab: ${unavailable}`);
const rows: Row[] = [];
for (const c of CASES) rows.push(...(await measure(c.link, c.bytes)));
const machine = await machineInfo();
const date = new Date().toISOString();
await writeFile(`${OUT}.json`, `${JSON.stringify({ machine, date, rows }, null, 2)}\n`);
await writeFile(`${OUT}.md`, markdown(rows, machine, date));
process.stderr.write(`wrote ${OUT}.{json,md}\n`);
