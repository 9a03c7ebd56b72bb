// Child in namespace A, across the link from the hub: a producer and a consumer (two Flight
// clients of one session), as a data owner's and a scientist's tab far from the hub would be.
//   node --import tsx bench/relay-latency/peers.ts --flight host:port
// Prints {"ready":true}; answers {"cmd":"move","id","ticket":"ask"|"spare","batchBytes"?,"bytes"}
// with {"moved":id,"ms","ok"}.

import { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { TicketSpare } from '../../src/transport/flight/ticket-spare';
import { tensor, type Tensor } from '../../src/tensor';
import { answer, requiredFlag, serveCommands } from '../negotiator/protocol';

interface Move {
  cmd: 'move';
  id: string;
  ticket: 'ask' | 'spare';
  /** Absent: the Arrow layer's default batch. */
  batchBytes?: number;
  bytes: number;
}

const address = requiredFlag('--flight');
const producer = new NodeFlightClient({ address });
const consumer = new NodeFlightClient({ address });
await Promise.all([producer.handshake(new Uint8Array(0)), consumer.handshake(new Uint8Array(0))]);
const spare = new TicketSpare(async () => producer);
await spare.take(); // learns the hub's ticket lifetime, and starts keeping a spare
const payloads = new Map<number, Tensor>();
answer({ ready: true });

serveCommands<Move>(
  async (c) => {
    let t = payloads.get(c.bytes);
    if (!t) payloads.set(c.bytes, (t = tensor('uint8', [c.bytes], new Uint8Array(c.bytes).map((_, i) => i % 251))));
    // The announcement to the receiver is the next line of this process: every mode shares it.
    const t0 = performance.now();
    const ticket = c.ticket === 'spare' ? await spare.take() : await producer.createTicket();
    const [, got] = await Promise.all([producer.putTensor(ticket, t, c.batchBytes !== undefined ? { batchBytes: c.batchBytes } : {}), consumer.getTensor(ticket)]);
    const ms = performance.now() - t0;
    answer({ moved: c.id, ms, ok: got.data.byteLength === c.bytes });
  },
  () => {
    producer.close();
    consumer.close();
    process.exit(0);
  },
);
