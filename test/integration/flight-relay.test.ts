import { describe, expect, it, vi } from 'vitest';
import { TICKET_SPARE_MAX_AGE_SHARE } from '../../src/transport/constants';
import { TicketSpare } from '../../src/transport/flight/ticket-spare';
import type { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { connect } from 'node:http2';
import { FLIGHT_CONNECTION_WINDOW_STREAMS, FLIGHT_STREAM_WINDOW_BYTES, FLIGHT_STREAM_WINDOW_RANGE } from '../../signaling-server/flight';
import { ALL_DTYPES, SHAPES, sameTensor, sampleTensor } from '../helpers/tensors';
import { connectedClient, relayPerSuite, startTestServer, withRelay } from '../helpers/flight';

describe('Flight relay, Node to Node', () => {
  const r = relayPerSuite();

  it('FL1: every dtype and shape round-trips through the relay, single and multi-batch', async () => {
    for (const dtype of ALL_DTYPES) {
      for (const shape of [...SHAPES, [257, 3]]) {
        const t = sampleTensor(dtype, shape, 7);
        const ticket = await r.producer.createTicket();
        const [, back] = await Promise.all([r.producer.putTensor(ticket, t, { batchBytes: 64 }), r.consumer.getTensor(ticket)]);
        expect(sameTensor(t, back), `${dtype} [${shape.join(',')}]`).toBe(true);
      }
    }
  });

  it('FL9: the consumer may arrive first; progress is reported on both sides', async () => {
    const t = sampleTensor('float64', [300, 301]);
    const ticket = await r.producer.createTicket();
    const got: number[] = [];
    const sent: number[] = [];
    const getting = r.consumer.getTensor(ticket, { onProgress: (p) => got.push(p.bytes) });
    await r.producer.putTensor(ticket, t, { batchBytes: 64 * 1024, onProgress: (p) => sent.push(p.bytes) });
    expect(sameTensor(await getting, t)).toBe(true);
    expect(got.at(-1)).toBe(t.data.byteLength);
    expect(sent.at(-1)).toBe(t.data.byteLength);
    expect(got.length).toBeGreaterThan(5);
  });
});

describe('Relay memory bound', () => {
  it('FL9: the relay never holds more than maxBufferedBytes of a transfer, whatever its size', async () => {
    await withRelay({ maxBufferedBytes: 64 * 1024 }, async ({ server, producer: p, consumer: c }) => {
      const ticket = await p.createTicket();
      const body = new Uint8Array(16 * 1024).fill(3);
      async function* frames() {
        for (let i = 0; i < 512; i++) yield { dataHeader: new Uint8Array(8), dataBody: body, appMetadata: new Uint8Array(0) };
      }
      let received = 0;
      await Promise.all([
        p.doPut(ticket, frames()),
        (async () => {
          for await (const f of c.doGet(ticket)) received += f.dataBody.byteLength;
        })(),
      ]);
      expect(received).toBe(512 * 16 * 1024);
      expect(server.relay.peakBufferedBytes).toBeGreaterThan(0);
      expect(server.relay.peakBufferedBytes).toBeLessThanOrEqual(64 * 1024);
    });
  });
});

describe("The hub's HTTP/2 receive windows", () => {
  it('FL8: streamWindowBytes outside 64 KiB - 4 MiB is a configuration error naming the limit', async () => {
    for (const bad of [FLIGHT_STREAM_WINDOW_RANGE.min - 1, FLIGHT_STREAM_WINDOW_RANGE.max + 1]) {
      await expect(startTestServer({ streamWindowBytes: bad })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', reason: 'BAD_CONFIG', details: { limit: 'streamWindowBytes' } });
    }
  });

  it('FL8: a producer may send FLIGHT_STREAM_WINDOW_BYTES per stream before the hub answers, and 16 times that per connection, not HTTP/2\'s 64 KiB', async () => {
    const server = await startTestServer();
    // A plain HTTP/2 client sees what the server grants: a DoPut is paced by these two windows.
    const session = connect(`http://127.0.0.1:${server.port}`);
    try {
      await new Promise<void>((resolve, reject) => {
        session.once('remoteSettings', () => resolve());
        session.once('error', reject);
      });
      expect(session.remoteSettings.initialWindowSize).toBe(FLIGHT_STREAM_WINDOW_BYTES);
      // The connection window grows by a WINDOW_UPDATE right after the settings.
      const connection = FLIGHT_STREAM_WINDOW_BYTES * FLIGHT_CONNECTION_WINDOW_STREAMS;
      for (let i = 0; i < 50 && (session.state.remoteWindowSize ?? 0) < connection; i++) await new Promise((r) => setTimeout(r, 10));
      expect(session.state.remoteWindowSize).toBe(connection);
    } finally {
      session.close();
      await server.close();
    }
  });

  it.each([
    ['the default', undefined],
    ['the largest allowed', FLIGHT_STREAM_WINDOW_RANGE.max],
  ])('FL8: with %s stream window, a DoPut that fills the relay buffer and its window does not starve the DoGet started with it on the same connection', async (_, streamWindowBytes) => {
    // grpc-js clients share one connection per target. With stream windows of 8 MiB or more this
    // deadlocked (constants.ts, FLIGHT_STREAM_WINDOW_BYTES): the range must stay below that.
    await withRelay({ maxBufferedBytes: 1024 * 1024, ...(streamWindowBytes !== undefined ? { streamWindowBytes } : {}) }, async ({ producer, consumer }) => {
      const big = sampleTensor('float64', [6_000_000]); // 48 MB: more than the relay buffer, the windows and the client's queue
      const ticket = await producer.createTicket();
      const [, back] = await Promise.all([producer.putTensor(ticket, big), consumer.getTensor(ticket)]);
      expect(sameTensor(back, big)).toBe(true);
    });
  });
});

describe('Spare tickets: a sender keeps one ticket ready (FL17)', () => {
  const TTL_MS = 4000;
  const r = relayPerSuite({ ticketTtlMs: TTL_MS });

  const roundTrip = async (ticket: Uint8Array, seed: number) => {
    const t = sampleTensor('float32', [64, 3], seed);
    const [, back] = await Promise.all([r.producer.putTensor(ticket, t), r.consumer.getTensor(ticket)]);
    return sameTensor(t, back);
  };

  it('FL17: the ticket answer declares the hub lifetime (TICKET_TTL_HEADER), and the client keeps it', async () => {
    const fresh = await connectedClient(r.server.port);
    try {
      expect(fresh.ticketTtlMs).toBeUndefined();
      await fresh.createTicket();
      expect(fresh.ticketTtlMs).toBe(TTL_MS);
    } finally {
      fresh.close();
    }
  });

  it('FL17: the second take is the spare fetched after the first, and both are working, distinct tickets', async () => {
    const asked = vi.spyOn(r.producer, 'createTicket');
    try {
      const spare = new TicketSpare(async () => r.producer);
      const first = await spare.take();
      await vi.waitFor(() => expect(asked).toHaveBeenCalledTimes(2)); // its own, then the spare
      await asked.mock.results[1]!.value;
      const second = await spare.take();
      expect(asked).toHaveBeenCalledTimes(3); // only the refill after the second take
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(false);
      expect(await roundTrip(first, 1)).toBe(true);
      expect(await roundTrip(second, 2)).toBe(true);
    } finally {
      asked.mockRestore();
    }
  });

  it('FL17: a spare is used while younger than TICKET_SPARE_MAX_AGE_SHARE of the lifetime, and not from then on', async () => {
    const limit = TTL_MS * TICKET_SPARE_MAX_AGE_SHARE;
    let now = 0;
    const asked = vi.spyOn(r.producer, 'createTicket');
    try {
      const spare = new TicketSpare(async () => r.producer, () => now);
      await spare.take(); // asks for its own and for a spare at t=0
      await vi.waitFor(() => expect(asked).toHaveBeenCalledTimes(2));
      now = limit - 1;
      const young = await asked.mock.results[1]!.value;
      expect(await spare.take()).toBe(young);
      await vi.waitFor(() => expect(asked).toHaveBeenCalledTimes(3)); // none for the take itself, one refill at limit - 1
      const old = await asked.mock.results[2]!.value;
      now = limit - 1 + limit; // the refill is exactly `limit` old
      const got = await spare.take();
      expect(got).not.toBe(old);
      expect(got).toBe(await asked.mock.results[3]!.value); // asked for at the take, then a refill
      await vi.waitFor(() => expect(asked).toHaveBeenCalledTimes(5));
      expect(await roundTrip(got, 3)).toBe(true);
    } finally {
      asked.mockRestore();
    }
  });

  it('FL17: without a declared lifetime no spare is kept; with maxTicketsPerSession=1 it cannot be, and transfers still work', async () => {
    // A hub that does not declare a lifetime: the same client, seen without it.
    const undeclared = { createTicket: () => r.producer.createTicket(), ticketTtlMs: undefined } as unknown as NodeFlightClient;
    const asked = vi.spyOn(undeclared, 'createTicket');
    const plain = new TicketSpare(async () => undeclared);
    expect(await roundTrip(await plain.take(), 7)).toBe(true);
    await plain.take();
    expect(asked).toHaveBeenCalledTimes(2);

    await withRelay({ maxTicketsPerSession: 1 }, async ({ producer: p, consumer: c }) => {

      // The first take's ticket is open, so the refill is refused (RESOURCE_EXHAUSTED) and dropped.
      const tickets = new TicketSpare(async () => p);
      for (const seed of [4, 5, 6]) {
        const ticket = await tickets.take();
        const t = sampleTensor('int32', [10], seed);
        const [, back] = await Promise.all([p.putTensor(ticket, t), c.getTensor(ticket)]);
        expect(sameTensor(t, back)).toBe(true);
      }
    });
  });
});
