// The near end of the lab's measurements, run inside namespace A against probe-server.ts.
//   node --import tsx bench/netlab/probe-client.ts --tcp HOST:PORT [--udp HOST:PORT]
//        [--pings 30] [--bulk-bytes N] [--bulk-runs 5] [--directions up,down]
// Prints one JSON line: {"result": ProbeResult}.

import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { BulkRun, ProbeResult } from './probe-result.js';

const PING_BYTES = 32;
const WARMUP_PINGS = 3;

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves once `n` more bytes have arrived (the socket must be in paused mode). */
function readExactly(socket: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      have += chunk.length;
      if (have >= n) {
        socket.off('data', onData);
        socket.off('error', reject);
        const all = Buffer.concat(parts);
        if (all.length > n) socket.unshift(all.subarray(n));
        socket.pause();
        resolve(all.subarray(0, n));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.resume();
  });
}

function readToEnd(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(parts)));
    socket.once('error', reject);
    socket.resume();
  });
}

async function tcpPings(host: string, port: number, count: number): Promise<number[]> {
  const socket = await connect(host, port);
  socket.pause();
  socket.write('P');
  const rtts: number[] = [];
  const msg = Buffer.alloc(PING_BYTES, 0x61);
  for (let i = 0; i < count + WARMUP_PINGS; i++) {
    const start = performance.now();
    socket.write(msg);
    await readExactly(socket, PING_BYTES);
    if (i >= WARMUP_PINGS) rtts.push(performance.now() - start);
  }
  socket.destroy();
  return rtts;
}

function header(mode: 'U' | 'D', bytes: number): Buffer {
  const buf = Buffer.alloc(9);
  buf.write(mode, 0, 'latin1');
  buf.writeBigUInt64BE(BigInt(bytes), 1);
  return buf;
}

async function upload(host: string, port: number, bytes: number): Promise<BulkRun> {
  const payload = randomBytes(bytes);
  const expected = createHash('sha256').update(payload).digest('hex');
  const start = performance.now();
  const socket = await connect(host, port);
  socket.write(header('U', bytes));
  socket.write(payload);
  const reply = (await readToEnd(socket)).toString('utf8');
  const totalMs = performance.now() - start;
  const report = JSON.parse(reply) as { bytes: number; firstToLastMs: number; sha256: string };
  return { direction: 'up', bytes, firstToLastMs: report.firstToLastMs, totalMs, hashOk: report.sha256 === expected };
}

async function download(host: string, port: number, bytes: number): Promise<BulkRun> {
  const start = performance.now();
  const socket = await connect(host, port);
  socket.write(header('D', bytes));
  const hash = createHash('sha256');
  let got = 0;
  let firstAt = 0;
  let lastAt = 0;
  const tail: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      if (got === 0) firstAt = performance.now();
      const payloadPart = chunk.subarray(0, Math.max(0, bytes - got));
      hash.update(payloadPart);
      got += payloadPart.length;
      if (payloadPart.length > 0 && got === bytes) lastAt = performance.now();
      if (payloadPart.length < chunk.length) tail.push(chunk.subarray(payloadPart.length));
    });
    socket.once('end', resolve);
    socket.once('error', reject);
  });
  const totalMs = performance.now() - start;
  const hashOk = got === bytes && Buffer.concat(tail).toString('latin1') === hash.digest('hex');
  return { direction: 'down', bytes, firstToLastMs: lastAt - firstAt, totalMs, hashOk };
}

async function udpPings(host: string, port: number, count: number): Promise<{ rtts: number[]; lost: number }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.connect(port, host, resolve));
  const rtts: number[] = [];
  let lost = 0;
  for (let i = 0; i < count + WARMUP_PINGS; i++) {
    const msg = Buffer.alloc(PING_BYTES);
    msg.writeUInt32BE(i, 0);
    const start = performance.now();
    const echoed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        socket.off('message', onMessage);
        resolve(false);
      }, 1000);
      const onMessage = (reply: Buffer): void => {
        if (reply.readUInt32BE(0) !== i) return; // a late echo of an earlier ping
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(true);
      };
      socket.on('message', onMessage);
      socket.send(msg);
    });
    if (i < WARMUP_PINGS) continue;
    if (echoed) rtts.push(performance.now() - start);
    else lost += 1;
  }
  socket.close();
  return { rtts, lost };
}

function hostPort(value: string): { host: string; port: number } {
  const match = value.match(/^(.+):(\d+)$/);
  if (!match?.[1] || !match[2]) throw new Error(`want HOST:PORT, got ${value}`);
  return { host: match[1], port: Number(match[2]) };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const tcp = hostPort(flag('--tcp') ?? '');
  const udpFlag = flag('--udp');
  const pings = Number(flag('--pings') ?? 30);
  const bulkBytes = Number(flag('--bulk-bytes') ?? 0);
  const bulkRuns = Number(flag('--bulk-runs') ?? 5);
  const directions = (flag('--directions') ?? 'up,down').split(',');

  const result: ProbeResult = { tcpRttMs: [], udpRttMs: [], udpLost: 0, bulk: [] };
  if (pings > 0) result.tcpRttMs = await tcpPings(tcp.host, tcp.port, pings);
  if (udpFlag && pings > 0) {
    const udp = hostPort(udpFlag);
    const { rtts, lost } = await udpPings(udp.host, udp.port, pings);
    result.udpRttMs = rtts;
    result.udpLost = lost;
  }
  // Up and down interleaved, run by run, so drift on the shared machine hits both alike.
  for (let run = 0; run < bulkRuns && bulkBytes > 0; run++) {
    if (directions.includes('up')) result.bulk.push(await upload(tcp.host, tcp.port, bulkBytes));
    if (directions.includes('down')) result.bulk.push(await download(tcp.host, tcp.port, bulkBytes));
  }
  process.stdout.write(`${JSON.stringify({ result })}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`probe-client: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
