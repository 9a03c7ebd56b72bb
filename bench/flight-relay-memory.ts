// 1 GiB through the hub's Flight relay: a producer DoPuts 256 record-batch-sized FlightData
// messages of 4 MiB, a consumer DoGets them; the hub runs in its own process and reports its
// peak RSS and ArrayBuffer memory. Run: npx tsx bench/flight-relay-memory.ts
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { NodeFlightClient } from '../src/adapters/flight-client-node';
import type { FlightFrame } from '../src/arrow';
import { MAX_BUFFERED_BYTES } from '../signaling-server/flight/constants';

const TOTAL = 1024 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
const MiB = 1024 * 1024;

async function main() {
  const hub = fork(new URL('./flight-relay-hub.ts', import.meta.url), [], { execArgv: ['--import', 'tsx', ...(process.env.HUB_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/hubprof'] : [])] });
  const inbox: Array<(m: Record<string, unknown>) => void> = [];
  hub.on('message', (m: Record<string, unknown>) => inbox.shift()?.(m));
  const ask = (msg?: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      inbox.push(resolve);
      if (msg !== undefined) hub.send(msg);
    });
  const { port } = (await ask()) as { port: number };
  const producer = new NodeFlightClient({ address: `127.0.0.1:${port}` });
  const consumer = new NodeFlightClient({ address: `127.0.0.1:${port}` });
  await producer.handshake(new Uint8Array(0));
  await consumer.handshake(new Uint8Array(0));
  const ticket = await producer.createTicket();
  const { baseline } = (await ask('reset')) as { baseline: NodeJS.MemoryUsage };
  const body = new Uint8Array(CHUNK).fill(7);
  const header = new Uint8Array(256).fill(1);
  async function* frames(): AsyncGenerator<FlightFrame> {
    for (let sent = 0; sent < TOTAL; sent += CHUNK) yield { dataHeader: header, dataBody: body, appMetadata: new Uint8Array(0) };
  }
  const t0 = performance.now();
  let received = 0;
  const getting = (async () => {
    for await (const f of consumer.doGet(ticket)) received += f.dataBody.byteLength;
  })();
  await Promise.all([producer.doPut(ticket, frames()), getting]);
  const ms = performance.now() - t0;
  const { peak, relayPeakBuffered } = (await ask('peak')) as { peak: { rss: number; arrayBuffers: number; heapUsed: number }; relayPeakBuffered: number };
  producer.close();
  consumer.close();
  hub.send('stop');
  const result = {
    benchmark: 'flight-relay-memory',
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memory_GiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    bytes_relayed: received,
    seconds: Math.round(ms) / 1000,
    MBps: Math.round(received / 1e6 / (ms / 1000)),
    max_buffered_bytes_setting: MAX_BUFFERED_BYTES,
    relay_peak_buffered_MiB: Math.round((relayPeakBuffered / MiB) * 10) / 10,
    hub_baseline_rss_MiB: Math.round(baseline.rss / MiB),
    hub_peak_rss_MiB: Math.round(peak.rss / MiB),
    hub_rss_growth_MiB: Math.round((peak.rss - baseline.rss) / MiB),
    hub_peak_array_buffers_MiB: Math.round(peak.arrayBuffers / MiB),
    hub_peak_heap_used_MiB: Math.round(peak.heapUsed / MiB),
  };
  console.log(result);
  if (received !== TOTAL) throw new Error(`received ${received} of ${TOTAL}`);
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/flight-relay-memory.json', JSON.stringify(result, null, 2) + '\n');
  writeFileSync(
    'docs/benchmarks/flight-relay-memory.md',
    [
      '# 1 GiB through the hub relay (bench/flight-relay-memory.ts)',
      '',
      `Date: ${result.date}. ${result.machine.cores} cores, ${result.machine.memory_GiB} GiB, Node ${result.machine.node}. Hub in its own process; producer and consumer in another; loopback.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| bytes relayed | ${result.bytes_relayed} (256 x 4 MiB FlightData) |`,
      `| time | ${result.seconds} s (${result.MBps} MB/s) |`,
      `| MAX_BUFFERED_BYTES | ${MAX_BUFFERED_BYTES / MiB} MiB |`,
      `| relay pipe peak | ${result.relay_peak_buffered_MiB} MiB |`,
      `| hub RSS baseline -> peak | ${result.hub_baseline_rss_MiB} -> ${result.hub_peak_rss_MiB} MiB (+${result.hub_rss_growth_MiB}) |`,
      `| hub peak ArrayBuffer memory | ${result.hub_peak_array_buffers_MiB} MiB |`,
      `| hub peak JS heap used | ${result.hub_peak_heap_used_MiB} MiB |`,
      '',
      'One run (a single 1 GiB transfer); RSS sampled every 10 ms in the hub.',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
