import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeFlightClient } from '../../src/adapters/flight-client-node';
import type { FlightFrame } from '../../src/arrow';
import { deriveSealKey, exportSealPublicKey, generateSealKeyPair } from '../../src/transport/seal';
import { putTensorOver } from '../../src/transport/flight/tensor-transfer';
import type { FrameTransport } from '../../src/transport/flight/types';
import { offerTensor, type FlightServerHandle } from '../../signaling-server/flight';
import { connectedClient, rejection, startTestServer } from '../helpers/flight';
import { ALL_DTYPES, SHAPES, sameTensor, sampleTensor } from '../helpers/tensors';

describe('Flight hosted by a Node data owner (no relay)', () => {
  let owner: FlightServerHandle & { port: number };
  let scientist: NodeFlightClient;

  beforeAll(async () => {
    owner = await startTestServer();
    scientist = await connectedClient(owner.port, 'S1');
  });
  afterAll(async () => {
    scientist.close();
    await owner.close();
  });

  it('FL1: the scientist DoGets every dtype and shape straight from the owner', async () => {
    for (const dtype of ALL_DTYPES) {
      for (const shape of [...SHAPES, [1000, 3]]) {
        const t = sampleTensor(dtype, shape, 3);
        const ticket = offerTensor(owner.relay, { sessionId: 'S1' }, t, { batchBytes: 1024 });
        expect(sameTensor(await scientist.getTensor(ticket), t), `${dtype} [${shape.join(',')}]`).toBe(true);
      }
    }
  });

  it('FL3: an offered ticket serves one DoGet and takes no DoPut', async () => {
    const t = sampleTensor('int64', [4]);
    const ticket = offerTensor(owner.relay, { sessionId: 'S1' }, t);
    const put = await rejection(scientist.putTensor(ticket, t));
    expect([put.code, put.reason]).toEqual(['FAILED_PRECONDITION', 'TICKET_USED']);
    expect(sameTensor(await scientist.getTensor(ticket), t)).toBe(true);
    expect((await rejection(scientist.getTensor(ticket))).reason).toBe('TICKET_USED');
  });
});

describe('Sealed transfer through the relay', () => {
  it('FL11: the hub relays only ciphertext, and the consumer gets the tensor back', async () => {
    const hub = await startTestServer();
    const p = await connectedClient(hub.port);
    const c = await connectedClient(hub.port);
    try {
      const a = await generateSealKeyPair();
      const b = await generateSealKeyPair();
      const pk = await deriveSealKey(a, await exportSealPublicKey(b));
      const ck = await deriveSealKey(b, await exportSealPublicKey(a));
      const seen: FlightFrame[] = [];
      const spy: FrameTransport = {
        doPut: (ticket, frames, signal) =>
          p.doPut(
            ticket,
            (async function* () {
              for await (const f of frames) {
                seen.push(f);
                yield f;
              }
            })(),
            signal,
          ),
        doGet: (ticket, signal) => p.doGet(ticket, signal),
      };
      const t = sampleTensor('float32', [200, 5]);
      const ticket = await p.createTicket();
      const [, back] = await Promise.all([putTensorOver(spy, ticket, t, { sealKey: pk, batchBytes: 1024 }), c.getTensor(ticket, { sealKey: ck })]);
      expect(sameTensor(back, t)).toBe(true);
      const wire = Buffer.concat(seen.flatMap((f) => [f.dataHeader, f.dataBody]));
      expect(wire.includes(Buffer.from('duet.tensor.dtype'))).toBe(false);
      expect(wire.includes(Buffer.from(t.data.buffer, 0, 16))).toBe(false);
      // Without the key the stream is useless to the consumer: the schema does not parse.
      const t2 = await p.createTicket();
      const [, plain] = await Promise.allSettled([putTensorOver(spy, t2, t, { sealKey: pk }), c.getTensor(t2)]);
      expect(plain.status === 'rejected' && (plain.reason as { reason: string }).reason).toBe('MALFORMED_FLIGHT_DATA');
    } finally {
      p.close();
      c.close();
      await hub.close();
    }
  });
});
