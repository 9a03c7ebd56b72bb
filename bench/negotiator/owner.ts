// Child in namespace B: the hub (with its Flight relay) and the data owner, who sends.
//   node --import tsx bench/negotiator/owner.ts --bytes N
// Prints {"ready":true,hubPort,flightPort,code}, then {"probed":true,...} once the scientist
// has connected and the negotiator has probed every path; then serves SendCommands.

import { PerformanceObserver } from 'node:perf_hooks';
import { startHub } from '../../signaling-server/hub';
import { createNodeTransfers, createSession } from '../../src/node';
import { answer, requiredFlag, serveCommands, settle, sharedClockMs, type SendCommand } from './protocol';
import { buildPayload, PAYLOAD_NAMES, PAYLOADS, type PayloadName } from './payloads';
import type { Tensor } from '../../src/tensor';

/** Lossy codecs the owner allows for gradients: the two BENCHMARKS.md section 2 compares. */
const LOSSY_POLICY = ['topk', 'dgc'];
/** Gradient transfers name one stream, so top-k and DGC keep their error feedback across runs. */
const GRADIENT_STREAM = 'bench-grad';

const bytes = Number(requiredFlag('--bytes'));
const payloads = new Map<PayloadName, Tensor>(PAYLOAD_NAMES.map((name) => [name, buildPayload(name, bytes)]));

const hub = await startHub({ port: 0, host: '0.0.0.0', flight: { port: 0, host: '0.0.0.0' } });
const flightPort = hub.flight?.port;
if (flightPort === undefined) throw new Error('the hub started without Flight');
// The owner sits next to the hub: its own hops (WebSocket, Flight upload) stay on B's loopback.
const session = await createSession({ hubUrl: `http://127.0.0.1:${hub.port}` });
const { transfers, negotiator } = createNodeTransfers(session, { lossyPolicy: LOSSY_POLICY });
negotiator.on('error', (e) => process.stderr.write(`owner: negotiator: ${e.message}\n`));
answer({ ready: true, hubPort: hub.port, flightPort, code: session.code });

await session.connected();
await negotiator.probed();
answer({ probed: true, estimates: negotiator.estimates() });

/** The negotiator's last decision, stamped on the shared clock when choose() got it. */
const decisions = new Map<string, { at: number; sampled: readonly string[]; sampleBytes: number; recalled: boolean }>();
negotiator.on('decision', (d) => decisions.set(d.transferId, { at: sharedClockMs(), sampled: d.decision.sampled, sampleBytes: d.decision.sampleBytes, recalled: d.decision.recalled }));

/** Garbage collection in this process, [start, duration] in performance.now() ms, to tell GC pauses from the rest. */
const gcs: [number, number][] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push([e.startTime, e.duration]);
}).observe({ entryTypes: ['gc'] });
const gcSince = (from: number): number => gcs.filter(([at]) => at >= from).reduce((sum, [, d]) => sum + d, 0);

/** Encode time per transfer, from the announcement (codec none: absent). */
const encodes = new Map<string, number>();
transfers.on('announced', (a) => a.direction === 'out' && a.encodeMs !== undefined && encodes.set(a.transferId, a.encodeMs));

/** Paths probed since the last send began (the negotiator re-probes a drifted path before a transfer). */
const probed: string[] = [];
negotiator.on('estimate', (e) => e.source === 'probe' && probed.push(e.estimate.path));

async function send(c: SendCommand): Promise<void> {
  const t = payloads.get(c.payload);
  if (!t) throw new Error(`no payload ${c.payload}`);
  const gradient = PAYLOADS[c.payload].gradient;
  let announced = 0;
  probed.length = 0;
  gcs.length = 0;
  const started = performance.now();
  const t0 = sharedClockMs();
  const s = await transfers.send(t, {
    onAnnounce: () => (announced = sharedClockMs()),
    transferId: c.id,
    ...(c.path ? { path: c.path } : {}),
    ...(c.codec ? { codec: c.codec } : {}),
    ...(gradient ? { stream: GRADIENT_STREAM } : {}),
  });
  // Where the owner's time went: choosing (negotiated only: probes, codec speeds, sampling),
  // then encoding and announcing; the rest of the cell's time is the link and the receiver.
  const d = decisions.get(c.id);
  decisions.delete(c.id);
  const encodeMs = encodes.get(c.id);
  encodes.delete(c.id);
  const choose = d ? { decideMs: d.at - t0, sampled: d.sampled, sampleBytes: d.sampleBytes, recalled: d.recalled, probed: [...probed] } : {};
  answer({ sent: c.id, t0, sentMs: sharedClockMs() - t0, codec: s.codec, path: s.path, reason: s.reason, wireBytes: s.bytes, announceMs: announced - t0, ...(encodeMs !== undefined ? { encodeMs } : {}), gcMs: gcSince(started), ...choose });
}

serveCommands(
  async (c) => {
    if (c.cmd === 'send') await send(c);
    else if (c.cmd === 'state') answer({ state: true, estimates: negotiator.estimates() });
    else if (c.cmd === 'settle') settle();
  },
  () => {
    session.close();
    void hub.close().finally(() => process.exit(0));
  },
);
