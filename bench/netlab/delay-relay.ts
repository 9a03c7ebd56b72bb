// Userspace delay relay: the kernel here has no netem, so added latency comes from here.
// It accepts connections, opens one to the target per connection, and forwards bytes both
// ways, releasing each chunk a fixed one-way delay after it arrived. It does not limit the
// rate: the kernel's tbf does that on the veth it sits behind. See docs/netlab.md.
//
// Run as a program inside a namespace (lab.ts does this with `ip netns exec`):
//   node --import tsx bench/netlab/delay-relay.ts --proto tcp|udp \
//     --listen HOST:PORT --target HOST:PORT --delay-ms ONE_WAY_MS
// It prints one JSON line {"ready":true,"port":N} when listening, and exits when its stdin
// closes, so it never outlives the process that started it.

import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { DelayQueue } from './delay-queue.js';
import { startUdpDelayRelay } from './udp-delay-relay.js';

export interface RelayOptions {
  listenHost: string;
  /** 0 picks a free port; read it back from the returned relay. */
  listenPort: number;
  targetHost: string;
  targetPort: number;
  /** Added to each direction, so the round trip grows by twice this. */
  oneWayDelayMs: number;
  /**
   * Per direction, bytes held (delay queue + unsent socket buffer) before the relay stops
   * reading from the sender. Must exceed rate x delay or the relay itself caps throughput;
   * the default covers 1 Gbit/s x 8 ms.
   */
  highWaterBytes?: number;
}

export interface Relay {
  readonly port: number;
  close(): Promise<void>;
}

const DEFAULT_HIGH_WATER = 1024 * 1024;

/** Forwards src -> dst through a delay queue, with backpressure from dst back to src. */
function pipeDelayed(src: net.Socket, dst: net.Socket, delayMs: number, highWater: number): DelayQueue<Buffer | null> {
  const held = (): number => queue.bytes + dst.writableLength;
  const maybeResume = (): void => {
    if (src.isPaused() && held() <= highWater / 2) src.resume();
  };
  // null marks the sender's FIN; it travels through the queue so it keeps its place.
  const queue = new DelayQueue<Buffer | null>(delayMs, (chunk) => {
    if (dst.destroyed) return;
    if (chunk === null) dst.end();
    else dst.write(chunk);
    maybeResume();
  });
  src.on('data', (chunk: Buffer) => {
    queue.push(chunk, chunk.length);
    if (held() > highWater) src.pause();
  });
  src.on('end', () => queue.push(null, 0));
  dst.on('drain', maybeResume);
  return queue;
}

export function startTcpDelayRelay(opts: RelayOptions): Promise<Relay> {
  const highWater = opts.highWaterBytes ?? DEFAULT_HIGH_WATER;
  const live = new Set<net.Socket>();

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ host: opts.targetHost, port: opts.targetPort, allowHalfOpen: true, noDelay: true });
    // Nagle would hold small chunks back after our delay, adding latency the link does not have.
    client.setNoDelay(true);
    live.add(client);
    live.add(upstream);
    const up = pipeDelayed(client, upstream, opts.oneWayDelayMs, highWater);
    const down = pipeDelayed(upstream, client, opts.oneWayDelayMs, highWater);
    let torn = false;
    const teardown = (): void => {
      if (torn) return;
      torn = true;
      up.close();
      down.close();
      client.destroy();
      upstream.destroy();
    };
    // A reset on one side is passed on at once (not delayed): an error is not data.
    client.on('error', teardown);
    upstream.on('error', teardown);
    // A clean close is not passed on here: the FIN already travels through the queue,
    // behind the data still held, and ends the other side when it is released.
    client.on('close', (hadError) => {
      live.delete(client);
      if (hadError) teardown();
    });
    upstream.on('close', (hadError) => {
      live.delete(upstream);
      if (hadError) teardown();
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort, opts.listenHost, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('relay: listen gave no TCP address'));
        return;
      }
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of live) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function parseHostPort(value: string | undefined, flag: string): { host: string; port: number } {
  const match = value?.match(/^(.+):(\d+)$/);
  if (!match?.[1] || !match[2]) throw new Error(`relay: ${flag} wants HOST:PORT, got ${value ?? 'nothing'}`);
  return { host: match[1], port: Number(match[2]) };
}

async function main(argv: readonly string[]): Promise<void> {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const proto = flag('--proto') ?? 'tcp';
  const listen = parseHostPort(flag('--listen'), '--listen');
  const target = parseHostPort(flag('--target'), '--target');
  const delay = Number(flag('--delay-ms') ?? 'NaN');
  if (!Number.isFinite(delay) || delay < 0) throw new Error('relay: --delay-ms wants a number >= 0');
  const options: RelayOptions = {
    listenHost: listen.host,
    listenPort: listen.port,
    targetHost: target.host,
    targetPort: target.port,
    oneWayDelayMs: delay,
  };
  let relay: Relay;
  if (proto === 'tcp') relay = await startTcpDelayRelay(options);
  else if (proto === 'udp') relay = await startUdpDelayRelay(options);
  else throw new Error(`relay: --proto must be tcp or udp, got ${proto}`);

  const stop = (): void => {
    void relay.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent holds our stdin open; when it dies (even by SIGKILL) the pipe closes.
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ ready: true, port: relay.port })}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
