// The browser bridge measured in Chromium (headless, Debian's /usr/bin/chromium via playwright-core):
// a page and a Node peer move a float64 3000x3000 tensor (72 MB) through the hub's relay.
// - page DoGet: Node DoPuts over gRPC, the page DoGets over gRPC-web read with one arrayBuffer();
//   time in the page from the call to the typed array with its hash verified.
// - page DoPut: the page DoPuts over the WebSocket, Node DoGets over gRPC; time from the page's
//   call to Node holding the verified tensor.
// - transport only, to choose the download path: 72 MB as one fetch().arrayBuffer(), as the same
//   fetch read chunk by chunk, and as 18 binary WebSocket messages of 4 MiB.
// Run: npx tsx bench/flight-bridge-browser.ts [runs]
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { NodeFlightClient } from '../src/adapters/flight-client-node';
import { tensor } from '../src/tensor';
import { attachFlightBridge, FlightRelay, offerTensor, startFlightServer } from '../signaling-server/flight';

const RUNS = Number(process.argv[2] ?? 5);
const WARMUP = 1;
const N = 3000 * 3000;
const RAW = new Uint8Array(N * 8).fill(1);
const CHUNK = 4 * 1024 * 1024;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { median: r(s[Math.floor(s.length / 2)]!), min: r(s[0]!), max: r(s.at(-1)!) };
};

async function main() {
  const bundle = await build({ entryPoints: ['bench/flight-bridge-page.ts'], bundle: true, format: 'iife', platform: 'browser', write: false, minify: true });
  const js = bundle.outputFiles[0]!.text;
  const relay = new FlightRelay({ authenticate: () => ({ sessionId: 'bench' }) });
  const http = createServer((req, res) => {
    if (req.url === '/') res.end('<!doctype html><script src="/page.js"></script>');
    else if (req.url === '/page.js') res.end(js);
    else if (req.url === '/raw') res.end(RAW);
    else if (req.url === '/sink') {
      let got = 0;
      req.on('data', (d: Buffer) => (got += d.byteLength));
      req.on('end', () => res.end(String(got)));
    }
    else res.writeHead(404).end();
  });
  attachFlightBridge(http, relay);
  const rawWs = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (req.url === '/raw-ws') rawWs.handleUpgrade(req, socket, head, (ws) => {
      for (let at = 0; at < RAW.byteLength; at += CHUNK) ws.send(RAW.subarray(at, Math.min(RAW.byteLength, at + CHUNK)));
    });
    if (req.url === '/raw-up') rawWs.handleUpgrade(req, socket, head, (ws) => {
      let got = 0;
      ws.on('message', (d: Buffer) => {
        got += d.byteLength;
        if (got >= RAW.byteLength) ws.send('done');
      });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const grpc = await startFlightServer({ relay, port: 0, host: '127.0.0.1' });
  const node = new NodeFlightClient({ address: `127.0.0.1:${grpc.port}` });
  await node.handshake(new Uint8Array(0));

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.evaluate(async (base) => {
    const w = window as unknown as Record<string, unknown> & Window;
    const c = new w.duet.BridgeFlightClient({ baseUrl: base, WebSocket: WebSocket as never });
    await c.handshake(new Uint8Array(0));
    w['client'] = c;
  }, `http://127.0.0.1:${port}/flight`);

  const data = new Float64Array(N).map((_, i) => Math.sin(i));
  const t = tensor('float64', [3000, 3000], data);
  const results: Record<string, number[]> = { page_doget_offered: [], page_doget: [], page_doput: [], fetch_arraybuffer: [], fetch_chunked: [], websocket_messages: [], websocket_upload: [], fetch_post: [] };
  const chromeVersion = browser.version();
  for (let i = 0; i < WARMUP + RUNS; i++) {
    // page DoGet of a tensor the hub process serves itself (offerTensor: encoded and hashed on request)
    const t0 = offerTensor(relay, { sessionId: 'bench' }, t);
    const offeredMs = await page.evaluate(async (ticket) => {
      const c = (window as unknown as Record<string, { getTensor(t: Uint8Array): Promise<{ data: Float64Array }> }>)['client']!;
      const s = performance.now();
      const back = await c.getTensor(new Uint8Array(ticket));
      const ms = performance.now() - s;
      if (back.data.length !== 9e6) throw new Error('bad size');
      return ms;
    }, Array.from(t0));
    // page DoGet
    const t1 = await node.createTicket();
    const putting = node.putTensor(t1, t);
    const getMs = await page.evaluate(async (ticket) => {
      const c = (window as unknown as Record<string, { getTensor(t: Uint8Array): Promise<{ data: Float64Array }> }>)['client']!;
      const s = performance.now();
      const back = await c.getTensor(new Uint8Array(ticket));
      const ms = performance.now() - s;
      if (back.data.length !== 9e6) throw new Error('bad size');
      return ms;
    }, Array.from(t1));
    await putting;
    // page DoPut
    const t2 = await node.createTicket();
    const s2 = performance.now();
    const getting = node.getTensor(t2);
    await page.evaluate(async (ticket) => {
      const w = window as unknown as Record<string, { putTensor(t: Uint8Array, x: unknown): Promise<unknown> }> & Window;
      const x = w.duet.tensor('float64', [3000, 3000], new Float64Array(9e6).map((_, i) => Math.sin(i)));
      (w as unknown as Record<string, unknown>)['x'] = x;
      void x;
    }, Array.from(t2));
    // The page's tensor is made before timing starts; now time the upload itself.
    const putMs = await page.evaluate(async (ticket) => {
      const w = window as unknown as Record<string, unknown>;
      const c = w['client'] as { putTensor(t: Uint8Array, x: unknown): Promise<unknown> };
      const s = performance.now();
      await c.putTensor(new Uint8Array(ticket), w['x']);
      return performance.now() - s;
    }, Array.from(t2));
    const back = await getting;
    const putTotal = performance.now() - s2;
    if (back.data.length !== N) throw new Error('bad size');
    void putMs;
    // transport-only
    const raw = await page.evaluate(async (port) => {
      let s = performance.now();
      const a = await (await fetch(`http://127.0.0.1:${port}/raw`)).arrayBuffer();
      const fetchMs = performance.now() - s;
      s = performance.now();
      const reader = (await fetch(`http://127.0.0.1:${port}/raw`)).body!.getReader();
      let n = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        n += value.byteLength;
      }
      const chunkedMs = performance.now() - s;
      s = performance.now();
      const wsBytes = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/raw-ws`);
        ws.binaryType = 'arraybuffer';
        let got = 0;
        ws.onmessage = (ev) => {
          got += (ev.data as ArrayBuffer).byteLength;
          if (got >= 72e6) {
            ws.close();
            resolve(got);
          }
        };
      });
      const wsMs = performance.now() - s;
      if (a.byteLength !== 72e6 || n !== 72e6 || wsBytes !== 72e6) throw new Error('bad raw size');
      // Upload: 18 binary messages of 4 MiB, the same bufferedAmount wait as the bridge client.
      const up = new WebSocket(`ws://127.0.0.1:${port}/raw-up`);
      up.binaryType = 'arraybuffer';
      await new Promise((r) => (up.onopen = r));
      const chunk = new Uint8Array(4 * 1024 * 1024).fill(2);
      s = performance.now();
      const acked = new Promise((r) => (up.onmessage = r));
      let sent = 0;
      while (sent < 72e6) {
        while (up.bufferedAmount > 8 * 1024 * 1024) await new Promise((r) => setTimeout(r, 2));
        const n = Math.min(chunk.byteLength, 72e6 - sent);
        up.send(chunk.subarray(0, n));
        sent += n;
      }
      await acked;
      const upMs = performance.now() - s;
      up.close();
      const body = new Uint8Array(72e6).fill(3);
      s = performance.now();
      const posted = await (await fetch(`http://127.0.0.1:${port}/sink`, { method: 'POST', body })).text();
      const postMs = performance.now() - s;
      if (posted !== '72000000') throw new Error('bad post size');
      return { fetchMs, chunkedMs, wsMs, upMs, postMs };
    }, port);
    if (i >= WARMUP) {
      results['page_doget_offered']!.push(offeredMs);
      results['page_doget']!.push(getMs);
      results['page_doput']!.push(putTotal);
      results['fetch_arraybuffer']!.push(raw.fetchMs);
      results['fetch_chunked']!.push(raw.chunkedMs);
      results['websocket_messages']!.push(raw.wsMs);
      results['websocket_upload']!.push(raw.upMs);
      results['fetch_post']!.push(raw.postMs);
    }
    console.log(`run ${i}: page DoGet offered ${offeredMs.toFixed(0)} ms, relayed ${getMs.toFixed(0)} ms, page DoPut ${putTotal.toFixed(0)} ms, raw fetch ${raw.fetchMs.toFixed(0)} / chunked ${raw.chunkedMs.toFixed(0)} / ws ${raw.wsMs.toFixed(0)} ms, ws upload ${raw.upMs.toFixed(0)} ms, POST ${raw.postMs.toFixed(0)} ms`);
  }
  await browser.close();
  node.close();
  await grpc.close();
  http.close();
  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, stats(v)]));
  const machine = { cores: os.cpus().length, memory_GiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, chromium: chromeVersion, load_average_at_end: os.loadavg().map((x) => Math.round(x * 100) / 100) };
  const date = new Date().toISOString();
  mkdirSync('docs/benchmarks', { recursive: true });
  writeFileSync('docs/benchmarks/flight-bridge-browser.json', JSON.stringify({ benchmark: 'flight-bridge-browser', date, machine, runs: RUNS, warmup: WARMUP, bytes: N * 8, results: summary }, null, 2) + '\n');
  const row = (name: string, key: string) => `| ${name} | ${summary[key]!.median} | ${summary[key]!.min}-${summary[key]!.max} |`;
  writeFileSync(
    'docs/benchmarks/flight-bridge-browser.md',
    [
      '# Browser bridge in Chromium (bench/flight-bridge-browser.ts)',
      '',
      `Date: ${date}. ${machine.cores} cores, ${machine.memory_GiB} GiB, Node ${machine.node}, Chromium ${machine.chromium} headless. Load average at the end: ${machine.load_average_at_end.join(' / ')} (shared machine).`,
      `72 MB (float64 3000x3000); median of ${RUNS} runs after ${WARMUP} warm-up, ms. The hub, the Node peer and this driver share one Node process; the page is a second process.`,
      '',
      '| path | median ms | min-max |',
      '|---|---|---|',
      row('page DoGet of a tensor the hub process serves (offerTensor), gRPC-web, one arrayBuffer(), hash verified', 'page_doget_offered'),
      row('page DoGet: Node DoPut (gRPC) -> relay -> page gRPC-web, one arrayBuffer(), hash verified', 'page_doget'),
      row('page DoPut: page WebSocket -> relay -> Node DoGet (gRPC), hash verified', 'page_doput'),
      row('transport only: fetch().arrayBuffer() of 72 MB', 'fetch_arraybuffer'),
      row('transport only: the same fetch read chunk by chunk', 'fetch_chunked'),
      row('transport only: 18 WebSocket messages of 4 MiB, hub to page', 'websocket_messages'),
      row('transport only: 18 WebSocket messages of 4 MiB, page to hub', 'websocket_upload'),
      row('transport only: one fetch POST of 72 MB, page to hub', 'fetch_post'),
      '',
    ].join('\n'),
  );
  console.log(summary);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
