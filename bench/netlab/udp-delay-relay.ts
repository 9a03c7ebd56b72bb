// The UDP twin of the TCP delay relay: datagrams in, the same datagrams out after a fixed
// one-way delay. Each client address gets its own upstream socket, so the target can tell
// clients apart and replies find their way back. Nothing is retried or reordered; loss
// and rate come from the kernel (tbf drops when its queue is full, nft drops at random).

import dgram from 'node:dgram';
import { DelayQueue } from './delay-queue.js';
import type { Relay, RelayOptions } from './delay-relay.js';

interface Session {
  readonly upstream: dgram.Socket;
  readonly up: DelayQueue<Buffer>;
  readonly down: DelayQueue<Buffer>;
  lastSeen: number;
}

/** A flow with no datagram either way for this long is forgotten (as a NAT would). */
const IDLE_MS = 60_000;

export function startUdpDelayRelay(opts: RelayOptions): Promise<Relay> {
  const front = dgram.createSocket('udp4');
  const sessions = new Map<string, Session>();

  const open = (address: string, port: number): Session => {
    const upstream = dgram.createSocket('udp4');
    upstream.connect(opts.targetPort, opts.targetHost);
    const session: Session = {
      upstream,
      up: new DelayQueue<Buffer>(opts.oneWayDelayMs, (msg) => {
        upstream.send(msg, (err) => {
          if (err) forget(key);
        });
      }),
      down: new DelayQueue<Buffer>(opts.oneWayDelayMs, (msg) => front.send(msg, port, address)),
      lastSeen: Date.now(),
    };
    const key = `${address}:${port}`;
    upstream.on('message', (msg) => {
      session.lastSeen = Date.now();
      session.down.push(msg, msg.length);
    });
    // ICMP "port unreachable" from the target surfaces as an error; the flow just ends.
    upstream.on('error', () => forget(key));
    sessions.set(key, session);
    return session;
  };

  const forget = (key: string): void => {
    const session = sessions.get(key);
    if (!session) return;
    sessions.delete(key);
    session.up.close();
    session.down.close();
    session.upstream.close();
  };

  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    const session = sessions.get(key) ?? open(rinfo.address, rinfo.port);
    session.lastSeen = Date.now();
    session.up.push(msg, msg.length);
  });

  const sweep = setInterval(() => {
    const cutoff = Date.now() - IDLE_MS;
    for (const [key, session] of sessions) if (session.lastSeen < cutoff) forget(key);
  }, IDLE_MS / 4);
  sweep.unref();

  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind(opts.listenPort, opts.listenHost, () => {
      front.off('error', reject);
      // A datagram to a vanished client can raise ICMP errors on some kernels; not fatal.
      front.on('error', () => undefined);
      resolve({
        port: front.address().port,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(sweep);
            for (const key of [...sessions.keys()]) forget(key);
            front.close(() => done());
          }),
      });
    });
  });
}
