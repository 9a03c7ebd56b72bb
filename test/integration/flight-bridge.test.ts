import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BridgeFlightClient, type WebSocketConstructor } from '../../src/transport/flight/bridge-client';
import type { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { attachFlightBridge, FlightRelay, TICKET_TTL_MS, type FlightBridge, type FlightServerHandle } from '../../signaling-server/flight';
import { connectedClient, credential, rejection, startTestServer, testAuthenticate } from '../helpers/flight';
import { ALL_DTYPES, SHAPES, sameTensor, sampleTensor } from '../helpers/tensors';

describe('Browser bridge (gRPC-web DoGet, WebSocket DoPut), driven from Node with the page client', () => {
  let http: Server;
  let bridge: FlightBridge;
  let relay: FlightRelay;
  let grpc: FlightServerHandle & { port: number };
  let base: string;
  let page1: BridgeFlightClient;
  let page2: BridgeFlightClient;
  let node: NodeFlightClient;

  const pageClient = async (session = 'S1') => {
    const c = new BridgeFlightClient({ baseUrl: base, WebSocket: WebSocket as unknown as WebSocketConstructor });
    await c.handshake(credential(session));
    return c;
  };

  beforeAll(async () => {
    relay = new FlightRelay({ authenticate: testAuthenticate });
    // The hub's own handler, which must keep serving everything outside /flight.
    http = createServer((_req, res) => res.end('hub'));
    bridge = attachFlightBridge(http, relay);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/flight`;
    grpc = await startTestServer({ relay });
    page1 = await pageClient();
    page2 = await pageClient();
    node = await connectedClient(grpc.port);
  });
  afterAll(async () => {
    node.close();
    bridge.close();
    await grpc.close();
    await new Promise((r) => http.close(r));
  });

  it('FL13: the hub keeps serving its own routes', async () => {
    const res = await fetch(base.replace('/flight', '/health'));
    expect(await res.text()).toBe('hub');
  });

  it('FL13: every dtype and shape round-trips page to page through the bridge', async () => {
    for (const dtype of ALL_DTYPES) {
      for (const shape of [...SHAPES, [300, 7]]) {
        const t = sampleTensor(dtype, shape, 11);
        const ticket = await page1.createTicket();
        const [, back] = await Promise.all([page1.putTensor(ticket, t, { batchBytes: 256 }), page2.getTensor(ticket)]);
        expect(sameTensor(back, t), `${dtype} [${shape.join(',')}]`).toBe(true);
      }
    }
  });

  it('FL17: a page learns the hub ticket lifetime from the ticket answer, as a Node client does', async () => {
    const page = await pageClient('S-ttl');
    expect(page.ticketTtlMs).toBeUndefined();
    await page.createTicket();
    expect(page.ticketTtlMs).toBe(relay.limits.ticketTtlMs);
    expect(page.ticketTtlMs).toBe(TICKET_TTL_MS);
  });

  it('FL13: pages and Node peers share one relay: page -> Node and Node -> page', async () => {
    const t = sampleTensor('float32', [500, 40]);
    const t1 = await page1.createTicket();
    const [, a] = await Promise.all([page1.putTensor(t1, t, { batchBytes: 4096 }), node.getTensor(t1)]);
    expect(sameTensor(a, t)).toBe(true);
    const t2 = await node.createTicket();
    const [, b] = await Promise.all([node.putTensor(t2, t, { batchBytes: 4096 }), page2.getTensor(t2)]);
    expect(sameTensor(b, t)).toBe(true);
  });

  it('FL3/FL6: the bridge applies the same ticket and token rules', async () => {
    const t = sampleTensor('uint8', [10]);
    const ticket = await page1.createTicket();
    await Promise.all([page1.putTensor(ticket, t), page2.getTensor(ticket)]);
    const reused = await rejection(page2.getTensor(ticket));
    expect([reused.code, reused.reason]).toEqual(['FAILED_PRECONDITION', 'TICKET_USED']);
    const reput = await rejection(page1.putTensor(ticket, t));
    expect([reput.code, reput.reason]).toEqual(['FAILED_PRECONDITION', 'TICKET_USED']);
    const anon = new BridgeFlightClient({ baseUrl: base, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const e1 = await rejection(anon.createTicket());
    expect([e1.code, e1.reason]).toEqual(['UNAUTHENTICATED', 'MISSING_TOKEN']);
    const e2 = await rejection(anon.putTensor(await page1.createTicket(), t));
    expect([e2.code, e2.reason]).toEqual(['UNAUTHENTICATED', 'BAD_TOKEN']);
    const forged = await rejection(page2.getTensor(new Uint8Array(16)));
    expect([forged.code, forged.reason]).toEqual(['NOT_FOUND', 'UNKNOWN_TICKET']);
  });

  it('FL10: a page that closes its upload mid-transfer fails the consumer with UNAVAILABLE', async () => {
    const ticket = await page1.createTicket();
    const ac = new AbortController();
    const t = sampleTensor('float64', [100_000]);
    const putting = rejection(page1.putTensor(ticket, t, { batchBytes: 8192, signal: ac.signal, onProgress: (p) => p.bytes >= 64 * 1024 && ac.abort() }));
    const got = await rejection(page2.getTensor(ticket));
    expect([got.code, got.reason]).toEqual(['UNAVAILABLE', 'PRODUCER_GONE']);
    expect((await putting).code).toBe('CANCELLED');
  });

  it('FL14: a malformed bridge request is INVALID_ARGUMENT, an unknown method UNIMPLEMENTED', async () => {
    const bad = await fetch(`${base}/arrow.flight.protocol.FlightService/DoGet`, { method: 'POST', body: new Uint8Array([0, 0, 0, 0, 9, 1]) });
    const text = Buffer.from(await bad.arrayBuffer()).toString('latin1');
    expect(text).toMatch(/grpc-status: 3/);
    const none = await fetch(`${base}/arrow.flight.protocol.FlightService/DoExchange`, { method: 'POST', body: new Uint8Array(0) });
    expect(Buffer.from(await none.arrayBuffer()).toString('latin1')).toMatch(/grpc-status: 12/);
  });
});

describe('Browser bridge DoPut pacing: the hub acks, the page keeps a window', () => {
  const RELAY_BUFFER = 64 * 1024;
  let http: Server;
  let bridge: FlightBridge;
  let relay: FlightRelay;
  let base: string;

  beforeAll(async () => {
    relay = new FlightRelay({ authenticate: testAuthenticate, maxBufferedBytes: RELAY_BUFFER, stallTimeoutMs: 2000 });
    http = createServer((_req, res) => res.end('hub'));
    bridge = attachFlightBridge(http, relay);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/flight`;
  });
  afterAll(async () => {
    bridge.close();
    relay.close();
    await new Promise((r) => http.close(r));
  });

  const pageClient = async (uploadWindowBytes?: number) => {
    const c = new BridgeFlightClient({ baseUrl: base, WebSocket: WebSocket as unknown as WebSocketConstructor, uploadWindowBytes });
    await c.handshake(credential('S1'));
    return c;
  };

  it('FL13: a page sends at most uploadWindowBytes beyond what the relay took, then resumes as the consumer reads', async () => {
    const window = 128 * 1024;
    const owner = await pageClient(window);
    const reader = await pageClient();
    const t = sampleTensor('float64', [250_000]); // 2 MB, far more than the relay and the window hold
    const ticket = await owner.createTicket();
    let sent = 0;
    const putting = owner.putTensor(ticket, t, { batchBytes: 16 * 1024, onProgress: (p) => (sent = p.bytes) });
    // With no consumer the upload must come to rest: the relay holds its buffer, the page its window.
    let last = -1;
    while (sent !== last) {
      last = sent;
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(sent).toBeGreaterThanOrEqual(window);
    expect(sent).toBeLessThanOrEqual(RELAY_BUFFER + window);
    const [, back] = await Promise.all([putting, reader.getTensor(ticket)]);
    expect(sameTensor(back, t)).toBe(true);
  });

  it('FL13: an upload needs no timers, so a background tab whose timers are throttled to a minute still completes', async () => {
    const owner = await pageClient(256 * 1024);
    const reader = await pageClient();
    const t = sampleTensor('float32', [1_000_000]);
    const ticket = await owner.createTicket();
    // What Chromium does to a tab hidden for five minutes: its timers fire once a minute at most.
    // The relay declares a stall after 2 s, so an upload that waits on a timer fails.
    const realSetTimeout = globalThis.setTimeout;
    const throttled = ((fn: () => void, ms?: number) => realSetTimeout(fn, Math.max(ms ?? 0, 60_000))) as typeof setTimeout;
    globalThis.setTimeout = throttled;
    try {
      const [, back] = await Promise.all([owner.putTensor(ticket, t, { batchBytes: 32 * 1024 }), reader.getTensor(ticket)]);
      expect(sameTensor(back, t)).toBe(true);
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
  });
});
