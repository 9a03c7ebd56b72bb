// The far end of the lab's measurements, run inside namespace B.
//   node --import tsx bench/netlab/probe-server.ts --host 0.0.0.0
// Prints {"ready":true,"tcpPort":N,"udpPort":M}; exits when stdin closes.
//
// TCP protocol: the first byte picks the mode.
//   'P'            echo every byte back (ping-pong RTT)
//   'U' + u64 N    receive N bytes, reply with one JSON line {bytes, firstToLastMs, sha256}
//   'D' + u64 N    send N pseudo-random bytes, then their sha256 as 64 hex characters
// UDP: every datagram is echoed to its sender.

import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const CHUNK = 256 * 1024;
// One random block, sent at rotating offsets: generating fresh random bytes per chunk made
// the server CPU-bound below the unshaped veth's rate. Nothing on the path compresses, so
// repeated content measures the same; the hash still covers exactly what was sent.
const BLOCK = randomBytes(4 * 1024 * 1024);

function handleUpload(socket: net.Socket, total: number, first: Buffer): void {
  const hash = createHash('sha256');
  let received = 0;
  let firstAt = 0;
  const take = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    if (received === 0) firstAt = performance.now();
    hash.update(chunk);
    received += chunk.length;
    if (received >= total) {
      const lastAt = performance.now();
      socket.off('data', take);
      socket.end(`${JSON.stringify({ bytes: received, firstToLastMs: lastAt - firstAt, sha256: hash.digest('hex') })}\n`);
    }
  };
  socket.on('data', take);
  take(first);
}

async function handleDownload(socket: net.Socket, total: number): Promise<void> {
  const hash = createHash('sha256');
  let sent = 0;
  while (sent < total) {
    const offset = (sent * 7) % (BLOCK.length - CHUNK);
    const chunk = BLOCK.subarray(offset, offset + Math.min(CHUNK, total - sent));
    hash.update(chunk);
    sent += chunk.length;
    // Respect backpressure, or a fast producer would buffer the whole payload in memory.
    if (!socket.write(chunk)) await new Promise<void>((resolve) => socket.once('drain', resolve));
    if (socket.destroyed) return;
  }
  socket.end(hash.digest('hex'));
}

function onConnection(socket: net.Socket): void {
  socket.setNoDelay(true);
  let header = Buffer.alloc(0);
  const onHeader = (chunk: Buffer): void => {
    header = Buffer.concat([header, chunk]);
    const mode = String.fromCharCode(header[0] ?? 0);
    if (mode === 'P') {
      socket.off('data', onHeader);
      socket.pipe(socket);
      if (header.length > 1) socket.write(header.subarray(1));
      return;
    }
    if (header.length < 9) return;
    socket.off('data', onHeader);
    const total = Number(header.readBigUInt64BE(1));
    if (mode === 'U') handleUpload(socket, total, header.subarray(9));
    else if (mode === 'D') void handleDownload(socket, total);
    else socket.destroy();
  };
  socket.on('data', onHeader);
  socket.on('error', () => socket.destroy());
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const host = flag('--host') ?? '0.0.0.0';
const tcp = net.createServer(onConnection);
const udp = dgram.createSocket('udp4');
udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));

await new Promise<void>((resolve) => tcp.listen(Number(flag('--port') ?? 0), host, resolve));
await new Promise<void>((resolve) => udp.bind(Number(flag('--udp-port') ?? 0), host, resolve));
const address = tcp.address();
if (address === null || typeof address === 'string') throw new Error('probe-server: no TCP address');
process.stdout.write(`${JSON.stringify({ ready: true, tcpPort: address.port, udpPort: udp.address().port })}\n`);

process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
