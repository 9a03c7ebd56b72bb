import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeFlightClient } from '../../src/adapters/flight-client-node';
import type { FlightServerHandle } from '../../signaling-server/flight';
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
