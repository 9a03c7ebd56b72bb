// Node <-> Node direct Flight (a headless data owner hosting Flight, a scientist DoGetting),
// the 13 cases of shared/BENCHMARKS.md section 1. Time = from the scientist's DoGet to the typed
// array ready with its hash verified; the owner hashes and encodes on request (inside the time).
// Also, in the same run and interleaved: the raw gRPC ceiling (the same bytes as pre-encoded
// FlightData, no tensor work). Run: npx tsx bench/flight-node.ts [runs]
import { fork } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { NodeFlightClient } from '../src/adapters/flight-client-node';
import type { DType } from '../src/tensor';
import type { OfferRequest } from './flight-owner';
import { plotFlightNode } from './plot-flight-node';

const CASES: Array<[DType, number, number]> = [
  ['float16', 100, 100], ['float16', 200, 200], ['float16', 500, 500], ['float16', 1000, 1000],
  ['float32', 100, 100], ['float32', 200, 200], ['float32', 500, 500], ['float32', 1000, 1000],
  ['float64', 100, 100], ['float64', 200, 200], ['float64', 500, 500], ['float64', 1000, 1000],
  ['float64', 3000, 3000],
];
const SEED_ARROW_MS: Record<string, number> = {
  'float16 100x100': 88.5, 'float16 200x200': 68.1, 'float16 500x500': 311.4, 'float16 1000x1000': 332.7,
  'float32 100x100': 56.5, 'float32 200x200': 68.8, 'float32 500x500': 184.8, 'float32 1000x1000': 537.0,
  'float64 100x100': 74.4, 'float64 200x200': 92.1, 'float64 500x500': 272.4, 'float64 1000x1000': 926.8,
  'float64 3000x3000': 5447.7,
};
const RUNS = Number(process.argv[2] ?? 7);
const WARMUP = 2;
function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const owner = fork(new URL('./flight-owner.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
  let nextId = 0;
  const pending = new Map<number, (r: { ticket: number[]; rawBytes: number }) => void>();
  const port = await new Promise<number>((resolve) =>
    owner.on('message', (m: { port?: number; id?: number; ticket?: number[]; rawBytes?: number }) => {
      if (m.port !== undefined) resolve(m.port);
      else if (m.id !== undefined) pending.get(m.id)?.({ ticket: m.ticket!, rawBytes: m.rawBytes! });
    }),
  );
  const offer = (dtype: DType, shape: [number, number], raw: boolean) =>
    new Promise<{ ticket: Uint8Array; rawBytes: number }>((resolve) => {
      const id = nextId++;
      pending.set(id, (r) => resolve({ ticket: new Uint8Array(r.ticket), rawBytes: r.rawBytes }));
      owner.send({ id, dtype, shape, raw } satisfies OfferRequest);
    });
  const client = new NodeFlightClient({ address: `127.0.0.1:${port}` });
  await client.handshake(new Uint8Array(0));
  const rows: Array<Record<string, unknown>> = [];
  for (const [dtype, r, c] of CASES) {
    const name = `${dtype} ${r}x${c}`;
    const flight: number[] = [];
    const ceiling: number[] = [];
    let rawBytes = 0;
    const bytes = r * c * (dtype === 'float16' ? 2 : dtype === 'float32' ? 4 : 8);
    for (let i = 0; i < WARMUP + RUNS; i++) {
      // Interleaved: the tensor path, then the raw ceiling, each run.
      const { ticket } = await offer(dtype, [r, c], false);
      const t0 = performance.now();
      const back = await client.getTensor(ticket);
      const t1 = performance.now();
      if (back.data.byteLength !== bytes) throw new Error('size mismatch');
      const raw = await offer(dtype, [r, c], true);
      rawBytes = raw.rawBytes;
      const t2 = performance.now();
      let n = 0;
      for await (const f of client.doGet(raw.ticket)) n += f.dataBody.byteLength + f.dataHeader.byteLength;
      const t3 = performance.now();
      if (n === 0) throw new Error('no bytes');
      if (i >= WARMUP) {
        flight.push(t1 - t0);
        ceiling.push(t3 - t2);
      }
    }
    const f = stats(flight);
    const g = stats(ceiling);
    const mb = bytes / 1e6;
    const row = {
      case: name,
      dtype,
      shape: [r, c],
      bytes,
      flight_ms: { median: round(f.median), min: round(f.min), max: round(f.max) },
      flight_MBps: round(mb / (f.median / 1000), 0),
      raw_grpc_ms: { median: round(g.median), min: round(g.min), max: round(g.max) },
      raw_grpc_MBps: round(rawBytes / 1e6 / (g.median / 1000), 0),
      seed_arrow_ms: SEED_ARROW_MS[name],
      speedup_vs_seed_arrow: round(SEED_ARROW_MS[name]! / f.median, 1),
    };
    rows.push(row);
    console.log(`${name.padEnd(18)} flight ${String(row.flight_ms.median).padStart(7)} ms (${row.flight_ms.min}-${row.flight_ms.max})  ${row.flight_MBps} MB/s   raw gRPC ${row.raw_grpc_ms.median} ms  ${row.raw_grpc_MBps} MB/s`);
  }
  client.close();
  owner.send('stop');
  const machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_GiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    // The machine is shared; the 1/5/15-minute load averages at the end say how busy it was.
    load_average_at_end: os.loadavg().map((x) => round(x, 2)),
  };
  const date = new Date().toISOString();
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/flight-node.json', JSON.stringify({ benchmark: 'flight-node', date, machine, runs: RUNS, warmup: WARMUP, cases: rows }, null, 2) + '\n');
  const md = [
    '# Node <-> Node direct Flight (bench/flight-node.ts)',
    '',
    `Date: ${date}. Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memory_GiB} GiB, Node ${machine.node}, ${machine.platform}.`,
    `Load average (1/5/15 min) at the end: ${machine.load_average_at_end.join(' / ')} on ${machine.cores} cores (the machine is shared with other work).`,
    `Median of ${RUNS} runs after ${WARMUP} warm-up runs; min-max in brackets. Loopback; the owner (Flight server) and the scientist (client) are two Node processes on the 2 cores.`,
    '',
    'Time = scientist DoGet until the typed array is ready with its xxh128 hash verified; the owner hashes and encodes on request, inside the time.',
    '`raw gRPC` = the same FlightData messages pre-encoded and streamed with no tensor work, interleaved with the tensor runs.',
    '',
    '| case | Flight ms | MB/s | raw gRPC ms | raw MB/s | seed Arrow ms | x seed |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const f = r.flight_ms as { median: number; min: number; max: number };
      const g = r.raw_grpc_ms as { median: number; min: number; max: number };
      return `| ${r.case} | ${f.median} (${f.min}-${f.max}) | ${r.flight_MBps} | ${g.median} (${g.min}-${g.max}) | ${r.raw_grpc_MBps} | ${r.seed_arrow_ms} | ${r.speedup_vs_seed_arrow} |`;
    }),
    '',
    'Target: float64 3000x3000 (72 MB) in <= 250 ms; 100x100 in <= 10 ms.',
    '',
    '![Flight vs raw gRPC vs the seed](flight-node.svg)',
    '',
  ].join('\n');
  writeFileSync('docs/benchmarks/flight-node.md', md);
  plotFlightNode();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
