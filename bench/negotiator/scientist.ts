// Child in namespace A: the data scientist, who receives. It reaches the hub's WebSocket and
// Flight ports through the lab's endpoints (delay relays in B), so both see the link's rate
// and RTT; the DataChannel goes over the veth directly (rate shaped, no added RTT).
//   node --import tsx bench/negotiator/scientist.ts --hub http://h:p --flight h:p --code C --bytes N
// Prints {"connected":true}, then serves ExpectCommands: {"expecting":id}, later {"got":id,...}.

import { PerformanceObserver } from 'node:perf_hooks';
import { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { nodeRuntime } from '../../src/adapters/node';
import { createNodeTransfers, joinSession } from '../../src/node';
import { tensorBytes, type Tensor } from '../../src/tensor';
import { answer, requiredFlag, serveCommands, settle, sharedClockMs, type ExpectCommand } from './protocol';
import { buildPayload, PAYLOAD_NAMES, type PayloadName } from './payloads';

const LOSSY = new Set(['topk', 'dgc', 'randomk', 'qsgd']);
/** A transfer on 2 Mbit/s can take a while to start (the owner samples codecs first). */
const START_TIMEOUT_MS = 120_000;

const bytes = Number(requiredFlag('--bytes'));
const flightAddress = requiredFlag('--flight');
const payloads = new Map<PayloadName, Tensor>(PAYLOAD_NAMES.map((name) => [name, buildPayload(name, bytes)]));

const session = await joinSession({
  hubUrl: requiredFlag('--hub'),
  code: requiredFlag('--code'),
  runtime: { ...nodeRuntime, createFlightClient: () => new NodeFlightClient({ address: flightAddress }) },
});
// Consent for the gradient's lossy codecs; the owner's policy narrows it to top-k and DGC.
const { transfers } = createNodeTransfers(session, { preferences: { lossyConsent: true } });
await session.connected();
answer({ connected: true });

/** Garbage collection in this process, [start, duration] in performance.now() ms, as the owner keeps it. */
const gcs: [number, number][] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push([e.startTime, e.duration]);
}).observe({ entryTypes: ['gc'] });
const gcBetween = (from: number, to: number): number => gcs.filter(([at]) => at >= from && at <= to).reduce((sum, [, d]) => sum + d, 0);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

function relativeError(got: Tensor, want: Tensor): number {
  const g = got.data as Float32Array;
  const w = want.data as Float32Array;
  let num = 0;
  let den = 0;
  for (let i = 0; i < w.length; i++) {
    const d = (g[i] ?? NaN) - (w[i] ?? 0);
    num += d * d;
    den += (w[i] ?? 0) ** 2;
  }
  return Math.sqrt(num / den);
}

function expect(c: ExpectCommand): void {
  const want = payloads.get(c.payload);
  if (!want) throw new Error(`no payload ${c.payload}`);
  let codec = '';
  let tStart = 0;
  const since = performance.now();
  gcs.length = 0;
  const arriving = transfers.expect(c.id, {
    timeoutMs: START_TIMEOUT_MS,
    onStart: (s) => {
      tStart = sharedClockMs();
      codec = s.codec;
    },
  });
  answer({ expecting: c.id });
  arriving.then(
    (got) => {
      const t1 = sharedClockMs();
      const until = performance.now();
      // Checked after the clock stops: the path already verified the hash of what travelled.
      const shapeOk = got.dtype === want.dtype && got.shape.join() === want.shape.join();
      if (LOSSY.has(codec)) {
        const relError = relativeError(got, want);
        answer({ got: c.id, t1, tStart, codec, ok: shapeOk && Number.isFinite(relError), relError, gcMs: gcBetween(since, until) });
      } else {
        answer({ got: c.id, t1, tStart, codec, ok: shapeOk && sameBytes(tensorBytes(got), tensorBytes(want)), gcMs: gcBetween(since, until) });
      }
    },
    (e: unknown) => answer({ failed: c.id, message: e instanceof Error ? e.message : String(e) }),
  );
}

serveCommands(
  (c) => {
    if (c.cmd === 'expect') expect(c);
    else if (c.cmd === 'settle') settle();
  },
  () => {
    session.close();
    process.exit(0);
  },
);
