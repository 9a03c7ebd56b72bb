import { create } from '@bufbuild/protobuf';
import { Client, credentials, Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { flightServiceDefinition, fromGrpcError, type RawFlightData } from '../../src/adapters/flight-grpc-node';
import { encodeTensor, type FlightFrame } from '../../src/arrow';
import { encodeFlightData } from '../../src/transport/flight/flight-data-codec';
import { FlightDescriptorSchema } from '../../src/wire/gen/arrow/flight/protocol/Flight_pb';
import type { FlightServerHandle } from '../../signaling-server/flight';
import { connectedClient, credential, rejection, startTestServer } from '../helpers/flight';
import { sameTensor, sampleTensor } from '../helpers/tensors';

async function* listOf(frames: FlightFrame[]): AsyncGenerator<FlightFrame> {
  yield* frames;
}

/** Sends raw (possibly malformed) DoPut messages, bypassing the client's encoder. */
async function rawPut(port: number, token: string, messages: Uint8Array[]): Promise<unknown> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const m = flightServiceDefinition['DoPut']!;
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  const call = client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, md) as ClientDuplexStream<RawFlightData, unknown>;
  try {
    return await new Promise((resolve, reject) => {
      call.on('data', () => undefined);
      call.on('error', (e) => reject(fromGrpcError(e)));
      call.on('end', resolve);
      for (const raw of messages) call.write({ raw, data: undefined, error: undefined });
      call.end();
    });
  } finally {
    client.close();
  }
}

describe('Flight errors', () => {
  const clock = { skew: 0 };
  let server: FlightServerHandle & { port: number };
  let a: NodeFlightClient;
  let b: NodeFlightClient;

  beforeAll(async () => {
    server = await startTestServer({ now: () => Date.now() + clock.skew, ticketTtlMs: 10_000 });
    a = await connectedClient(server.port, 'S1');
    b = await connectedClient(server.port, 'S1');
  });
  afterAll(async () => {
    a.close();
    b.close();
    await server.close();
  });

  it('FL3: a ticket is single-use: a second DoGet or DoPut is FAILED_PRECONDITION/TICKET_USED', async () => {
    const t = sampleTensor('int32', [10]);
    const ticket = await a.createTicket();
    await Promise.all([a.putTensor(ticket, t), b.getTensor(ticket)]);
    const again = await rejection(b.getTensor(ticket));
    expect([again.code, again.reason]).toEqual(['FAILED_PRECONDITION', 'TICKET_USED']);
    const put = await rejection(a.putTensor(ticket, t));
    expect([put.code, put.reason]).toEqual(['FAILED_PRECONDITION', 'TICKET_USED']);
  });

  it('FL4: an expired ticket is refused, and a consumer waiting on it is released with DEADLINE_EXCEEDED', async () => {
    const ticket = await a.createTicket();
    const waiting = b.getTensor(ticket);
    const stale = await a.createTicket();
    clock.skew += 10_001;
    server.relay.sweep();
    const w = await rejection(waiting);
    expect([w.code, w.reason]).toEqual(['DEADLINE_EXCEEDED', 'TICKET_EXPIRED']);
    const e = await rejection(a.putTensor(stale, sampleTensor('uint8', [1])));
    expect([e.code, e.reason]).toEqual(['FAILED_PRECONDITION', 'TICKET_EXPIRED']);
  });

  it('FL5: a forged ticket is NOT_FOUND; another session\'s ticket is PERMISSION_DENIED', async () => {
    const forged = globalThis.crypto.getRandomValues(new Uint8Array(16));
    const e1 = await rejection(b.getTensor(forged));
    expect([e1.code, e1.reason]).toEqual(['NOT_FOUND', 'UNKNOWN_TICKET']);
    const e2 = await rejection(b.getTensor(new Uint8Array([1, 2, 3])));
    expect(e2.code).toBe('NOT_FOUND');
    const other = await connectedClient(server.port, 'S2');
    try {
      const ticket = await a.createTicket();
      const e3 = await rejection(other.getTensor(ticket));
      expect([e3.code, e3.reason]).toEqual(['PERMISSION_DENIED', 'WRONG_SESSION']);
    } finally {
      other.close();
    }
  });

  it('FL6: calls without a token, with a wrong token, or after a refused handshake are UNAUTHENTICATED', async () => {
    const anon = new NodeFlightClient({ address: `127.0.0.1:${server.port}` });
    try {
      const e1 = await rejection(anon.createTicket());
      expect([e1.code, e1.reason]).toEqual(['UNAUTHENTICATED', 'MISSING_TOKEN']);
      anon.setToken('not-a-token');
      const e2 = await rejection(anon.getTensor(new Uint8Array(16)));
      expect([e2.code, e2.reason]).toEqual(['UNAUTHENTICATED', 'BAD_TOKEN']);
      const e3 = await rejection(anon.handshake(new TextEncoder().encode('let me in')));
      expect([e3.code, e3.reason]).toEqual(['UNAUTHENTICATED', 'BAD_CREDENTIAL']);
    } finally {
      anon.close();
    }
  });

  it('FL7: a batch corrupted in transit fails the consumer with DATA_LOSS/HASH_MISMATCH', async () => {
    const t = sampleTensor('float64', [64]);
    const { frames } = await encodeTensor(t, { batchBytes: 128 });
    const body = frames[2]!.dataBody.slice();
    body[5] = body[5]! ^ 0xff;
    frames[2] = { ...frames[2]!, dataBody: body };
    const ticket = await a.createTicket();
    const [, got] = await Promise.allSettled([a.doPut(ticket, listOf(frames)), b.getTensor(ticket)]);
    const e = got.status === 'rejected' ? (got.reason as { code: string; reason: string }) : undefined;
    expect([e?.code, e?.reason]).toEqual(['DATA_LOSS', 'HASH_MISMATCH']);
  });

  it('FL14: malformed FlightData: the producer gets INVALID_ARGUMENT, the consumer UNAVAILABLE or INVALID_ARGUMENT', async () => {
    const token = (a as unknown as { token: string }).token;
    const ticket = await a.createTicket();
    const getting = rejection(b.getTensor(ticket));
    const first = encodeFlightData({ dataHeader: new Uint8Array(0), dataBody: new Uint8Array(0), appMetadata: new Uint8Array(0) }, ticket);
    const p = await rejection(rawPut(server.port, token, [first, new Uint8Array([0xff, 0xff, 0xff])]));
    expect([p.code, p.reason]).toEqual(['INVALID_ARGUMENT', 'MALFORMED_FLIGHT_DATA']);
    const c = await getting;
    expect(['UNAVAILABLE', 'INVALID_ARGUMENT']).toContain(c.code);
    // A DoPut whose first message names no ticket.
    const q = await rejection(rawPut(server.port, token, [encodeFlightData({ dataHeader: new Uint8Array(3), dataBody: new Uint8Array(0), appMetadata: new Uint8Array(0) })]));
    expect([q.code, q.reason]).toEqual(['INVALID_ARGUMENT', 'MALFORMED_FLIGHT_DATA']);
    // Well-formed protobuf, garbage Arrow header: the consumer names it.
    const t2 = await a.createTicket();
    const g2 = rejection(b.getTensor(t2));
    await a.doPut(t2, listOf([{ dataHeader: new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]), dataBody: new Uint8Array(0), appMetadata: new Uint8Array(0) }]));
    const c2 = await g2;
    expect([c2.code, c2.reason]).toEqual(['INVALID_ARGUMENT', 'MALFORMED_FLIGHT_DATA']);
  });

  it('FL8: the consumer\'s maxTensorBytes: at the limit passes, one byte over is RESOURCE_EXHAUSTED', async () => {
    const t = sampleTensor('int16', [50]);
    const t1 = await a.createTicket();
    const [, ok] = await Promise.all([a.putTensor(t1, t), b.getTensor(t1, { maxTensorBytes: 100 })]);
    expect(sameTensor(ok, t)).toBe(true);
    const t2 = await a.createTicket();
    const [put, get] = await Promise.allSettled([a.putTensor(t2, t), b.getTensor(t2, { maxTensorBytes: 99 })]);
    expect(get.status === 'rejected' && (get.reason as { code: string }).code).toBe('RESOURCE_EXHAUSTED');
    // The producer learns the consumer left, rather than hanging.
    expect(put.status === 'rejected' ? (put.reason as { code: string }).code : 'fulfilled').toMatch(/CANCELLED|fulfilled/);
  });

  it('FL12: methods Duet does not offer are UNIMPLEMENTED with a message', async () => {
    const client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const m = flightServiceDefinition['GetFlightInfo']!;
    const e = await new Promise<unknown>((resolve) => client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, create(FlightDescriptorSchema, {}), (err) => resolve(err)));
    client.close();
    const d = fromGrpcError(e);
    expect([d.code, d.reason]).toEqual(['UNIMPLEMENTED', 'NOT_OFFERED']);
    expect(d.message).toMatch(/GetFlightInfo/);
  });
});

describe('Flight relay limits and failures mid-transfer', () => {
  it('FL8: maxTransferBytes: exactly at the limit passes, one byte over is RESOURCE_EXHAUSTED for both sides', async () => {
    const t = sampleTensor('float32', [100]);
    const probe = await startTestServer();
    const pc = await connectedClient(probe.port);
    const ticket = await pc.createTicket();
    const { frames } = await encodeTensor(t, { batchBytes: 64, hash: undefined });
    const total = frames.reduce((n, f, i) => n + encodeFlightData(f, i === 0 ? ticket : undefined).byteLength, 0);
    pc.close();
    await probe.close();
    for (const [limit, ok] of [[total, true], [total - 1, false]] as const) {
      const server = await startTestServer({ maxTransferBytes: limit });
      const p = await connectedClient(server.port);
      const c = await connectedClient(server.port);
      try {
        const tk = await p.createTicket();
        const [put, get] = await Promise.allSettled([p.putTensor(tk, t, { batchBytes: 64 }), c.getTensor(tk)]);
        if (ok) {
          expect(put.status).toBe('fulfilled');
          expect(get.status === 'fulfilled' && sameTensor(get.value, t)).toBe(true);
        } else {
          expect(put.status === 'rejected' && (put.reason as { code: string }).code).toBe('RESOURCE_EXHAUSTED');
          expect(get.status === 'rejected' && (get.reason as { code: string }).code).toBe('RESOURCE_EXHAUSTED');
        }
      } finally {
        p.close();
        c.close();
        await server.close();
      }
    }
  });

  it('FL10: a producer that closes mid-transfer fails the consumer with UNAVAILABLE/PRODUCER_GONE', async () => {
    const server = await startTestServer({ maxBufferedBytes: 1024 });
    const p = await connectedClient(server.port);
    const c = await connectedClient(server.port);
    try {
      const ticket = await p.createTicket();
      const ac = new AbortController();
      const t = sampleTensor('float64', [20_000]);
      const putting = rejection(p.putTensor(ticket, t, { batchBytes: 1024, signal: ac.signal, onProgress: (pr) => pr.bytes >= 8 * 1024 && ac.abort() }));
      const got = await rejection(c.getTensor(ticket));
      expect([got.code, got.reason]).toEqual(['UNAVAILABLE', 'PRODUCER_GONE']);
      expect((await putting).code).toBe('CANCELLED');
    } finally {
      p.close();
      c.close();
      await server.close();
    }
  });

  it('FL10: the server stopping mid-transfer fails both sides with UNAVAILABLE, not a hang', async () => {
    const server = await startTestServer({ maxBufferedBytes: 1024 });
    const p = await connectedClient(server.port);
    const c = await connectedClient(server.port);
    try {
      const ticket = await p.createTicket();
      const t = sampleTensor('float64', [20_000]);
      let stopping: Promise<void> | undefined;
      const putting = rejection(p.putTensor(ticket, t, { batchBytes: 1024 }));
      const got = await rejection(c.getTensor(ticket, { onProgress: (pr) => void (pr.bytes >= 8 * 1024 && (stopping ??= server.close())) }));
      expect(['UNAVAILABLE', 'CANCELLED']).toContain(got.code);
      expect(['UNAVAILABLE', 'CANCELLED']).toContain((await putting).code);
      await stopping;
    } finally {
      p.close();
      c.close();
      await server.close();
    }
  });
});
