import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { connect } from 'node:http2';
import { FLIGHT_CONNECTION_WINDOW_STREAMS, FLIGHT_STREAM_WINDOW_BYTES, FLIGHT_STREAM_WINDOW_RANGE, type FlightServerHandle } from '../../signaling-server/flight';
import { ALL_DTYPES, SHAPES, sameTensor, sampleTensor } from '../helpers/tensors';
import { connectedClient, startTestServer } from '../helpers/flight';

describe('Flight relay, Node to Node', () => {
  let server: FlightServerHandle & { port: number };
  let producer: NodeFlightClient;
  let consumer: NodeFlightClient;

  beforeAll(async () => {
    server = await startTestServer();
    producer = await connectedClient(server.port);
    consumer = await connectedClient(server.port);
  });
  afterAll(async () => {
    producer.close();
    consumer.close();
    await server.close();
  });

  it('FL1: every dtype and shape round-trips through the relay, single and multi-batch', async () => {
    for (const dtype of ALL_DTYPES) {
      for (const shape of [...SHAPES, [257, 3]]) {
        const t = sampleTensor(dtype, shape, 7);
        const ticket = await producer.createTicket();
        const [, back] = await Promise.all([producer.putTensor(ticket, t, { batchBytes: 64 }), consumer.getTensor(ticket)]);
        expect(sameTensor(t, back), `${dtype} [${shape.join(',')}]`).toBe(true);
      }
    }
  });

  it('FL9: the consumer may arrive first; progress is reported on both sides', async () => {
    const t = sampleTensor('float64', [300, 301]);
    const ticket = await producer.createTicket();
    const got: number[] = [];
    const sent: number[] = [];
    const getting = consumer.getTensor(ticket, { onProgress: (p) => got.push(p.bytes) });
    await producer.putTensor(ticket, t, { batchBytes: 64 * 1024, onProgress: (p) => sent.push(p.bytes) });
    expect(sameTensor(await getting, t)).toBe(true);
    expect(got.at(-1)).toBe(t.data.byteLength);
    expect(sent.at(-1)).toBe(t.data.byteLength);
    expect(got.length).toBeGreaterThan(5);
  });
});

describe('Relay memory bound', () => {
  it('FL9: the relay never holds more than maxBufferedBytes of a transfer, whatever its size', async () => {
    const { startTestServer: start, connectedClient: connect } = await import('../helpers/flight');
    const server = await start({ maxBufferedBytes: 64 * 1024 });
    const p = await connect(server.port);
    const c = await connect(server.port);
    try {
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
    } finally {
      p.close();
      c.close();
      await server.close();
    }
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
    const server = await startTestServer({ maxBufferedBytes: 1024 * 1024, streamWindowBytes });
    const producer = await connectedClient(server.port);
    const consumer = await connectedClient(server.port);
    try {
      const big = sampleTensor('float64', [6_000_000]); // 48 MB: more than the relay buffer, the windows and the client's queue
      const ticket = await producer.createTicket();
      const [, back] = await Promise.all([producer.putTensor(ticket, big), consumer.getTensor(ticket)]);
      expect(sameTensor(back, big)).toBe(true);
    } finally {
      producer.close();
      consumer.close();
      await server.close();
    }
  });
});
