// The data owner of bench/flight-node.ts, in its own process as a real peer would be: it hosts
// Flight and, on request over IPC, offers a tensor (encoded and hashed on DoGet) or the same
// bytes pre-encoded (the raw gRPC ceiling). BATCH_BYTES in the environment overrides the batch size.
import { encodeTensor } from '../src/arrow';
import { ARRAY_OF, tensor, type DType, type Tensor } from '../src/tensor';
import { encodeFlightData } from '../src/transport/flight/flight-data-codec';
import { offerTensor, startFlightServer } from '../signaling-server/flight';

export interface OfferRequest {
  id: number;
  dtype: DType;
  shape: [number, number];
  raw: boolean;
}

const session = { sessionId: 'bench' };

export function randomTensor(dtype: DType, shape: [number, number]): Tensor {
  const data = new ARRAY_OF[dtype](shape[0] * shape[1]);
  if (dtype === 'float16') {
    const bits = data as Uint16Array;
    for (let i = 0; i < bits.length; i++) bits[i] = (Math.random() * 0x7bff) | (Math.random() < 0.5 ? 0x8000 : 0);
  } else {
    const f = data as Float64Array;
    for (let i = 0; i < f.length; i++) f[i] = Math.random() * 2 - 1;
  }
  return tensor(dtype, shape, data as never);
}

async function main() {
  const server = await startFlightServer({ authenticate: () => session, port: 0, host: '127.0.0.1' });
  const cache = new Map<string, { t: Tensor; raw: Uint8Array[] }>();
  process.on('message', (msg: OfferRequest | 'stop') => {
    void (async () => {
      if (msg === 'stop') {
        await server.close();
        process.exit(0);
      }
      const key = `${msg.dtype} ${msg.shape.join('x')}`;
      let entry = cache.get(key);
      if (entry === undefined) {
        cache.clear();
        const t = randomTensor(msg.dtype, msg.shape);
        entry = { t, raw: (await encodeTensor(t)).frames.map((f) => encodeFlightData(f)) };
        cache.set(key, entry);
      }
      const e = entry;
      const ticket = msg.raw
        ? server.relay.offer(session, async function* () {
            yield* e.raw;
          })
        : offerTensor(server.relay, session, e.t, { batchBytes: process.env['BATCH_BYTES'] ? Number(process.env['BATCH_BYTES']) : undefined });
      process.send!({ id: msg.id, ticket: Array.from(ticket), rawBytes: e.raw.reduce((n, b) => n + b.byteLength, 0) });
    })();
  });
  process.send!({ port: server.port });
}

void main();
