// Child in namespace A: a Node producer that DoPuts a float64 tensor into a hub's relay.
//   node --import tsx bench/flight-window/uploader.ts --flight host:port --bytes N
// Prints {"ready":true}; answers {"cmd":"put","id","ticket"} with {"put":id,"ms"}.

import { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { tensor } from '../../src/tensor';
import { answer, requiredFlag, serveCommands } from '../negotiator/protocol';

const client = new NodeFlightClient({ address: requiredFlag('--flight') });
await client.handshake(new Uint8Array(0));
const data = new Float64Array(Number(requiredFlag('--bytes')) / 8);
for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * 1e3;
const payload = tensor('float64', [data.length], data);
answer({ ready: true });

serveCommands<{ cmd: 'put'; id: string; ticket: string }>(
  async (c) => {
    const t0 = performance.now();
    await client.putTensor(new Uint8Array(Buffer.from(c.ticket, 'hex')), payload);
    answer({ put: c.id, ms: performance.now() - t0 });
  },
  () => {
    client.close();
    process.exit(0);
  },
);
