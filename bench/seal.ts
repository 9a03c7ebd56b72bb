// Sealing's cost per transfer, where it runs: a sealed Flight transfer (producer DoPut, consumer
// DoGet, through the relay) in one process, plain and sealed with each suite (WebCrypto, as in
// browsers; node:crypto, as Node peers use), interleaved run by run.
//   npm run bench:seal -- [--runs 200]
// Writes docs/benchmarks/seal.{json,md}.

import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { nodeSealCrypto } from '../src/adapters/seal-node';
import { tensor } from '../src/tensor';
import { getTensorOver, putTensorOver } from '../src/transport/flight/tensor-transfer';
import type { FrameTransport } from '../src/transport/flight/types';
import { deriveSealKey, exportSealPublicKey, generateSealKeyPair, webSealCrypto, type SealCrypto } from '../src/transport/seal';
import { openRelay } from '../test/helpers/flight';
import { flag } from './negotiator/protocol';
import { machineInfo } from './netlab/machine';

const OUT = fileURLToPath(new URL('../docs/benchmarks/seal', import.meta.url));
const RUNS = Number(flag('--runs') ?? 200);
/** A scalar's worth, a top-k gradient frame (4 MB at 2%), and a 4 MB raw tensor (one 4 MiB batch). */
const SIZES = [8, 80_320, 4_014_080];
const MODES: [string, SealCrypto | null][] = [
  ['plain', null],
  ['WebCrypto', webSealCrypto],
  ['node:crypto', nodeSealCrypto],
];

const quantile = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
const round = (x: number) => Math.round(x * 100) / 100;

const relay = await openRelay();
const [a, b] = [await generateSealKeyPair(), await generateSealKeyPair()];
const key = await deriveSealKey(a, await exportSealPublicKey(b));
const over = (t: FrameTransport, suite: SealCrypto | null): FrameTransport => ({ doPut: t.doPut.bind(t), doGet: t.doGet.bind(t), ...(suite ? { sealCrypto: suite } : {}) });

const rows = [];
for (const bytes of SIZES) {
  const t = tensor('uint8', [bytes], new Uint8Array(bytes).map((_, i) => (i * 7) & 255));
  const runs = bytes > 1e6 ? Math.max(10, Math.round(RUNS / 10)) : RUNS;
  const ms = new Map<string, number[]>(MODES.map(([m]) => [m, []]));
  for (let run = -5; run < runs; run++) {
    for (const [mode, suite] of run % 2 === 0 ? MODES : [...MODES].reverse()) {
      const ticket = await relay.producer.createTicket();
      const sealed = suite ? { sealKey: key } : {};
      const started = performance.now();
      await Promise.all([putTensorOver(over(relay.producer, suite), ticket, t, sealed), getTensorOver(over(relay.consumer, suite), ticket, sealed)]);
      if (run >= 0) ms.get(mode)!.push(performance.now() - started);
    }
  }
  const plain = quantile(ms.get('plain')!, 0.5);
  for (const [mode] of MODES) {
    const xs = ms.get(mode)!;
    rows.push({ bytes, mode, runs: xs.length, median_ms: round(quantile(xs, 0.5)), p90_ms: round(quantile(xs, 0.9)), max_ms: round(quantile(xs, 1)), over_plain_ms: round(quantile(xs, 0.5) - plain) });
  }
  process.stderr.write(`${bytes} B done\n`);
}
await relay.close();

const machine = await machineInfo();
const date = new Date().toISOString();
const md = [
  '# Sealing: cost per transfer',
  '',
  `Measured ${date} by \`npm run bench:seal -- --runs ${RUNS}\`: one Node process, a producer's DoPut and a consumer's`,
  'DoGet through the hub\'s Flight relay over loopback, plain and sealed end to end (FL11) with each suite, the',
  'three interleaved run by run after 5 warm-up runs. Both sides seal or open, so the cost over plain is the',
  'sum of the two. Machine: `' + JSON.stringify(machine) + '`.',
  '',
  '| tensor | mode | runs | median ms | p90 | max | median over plain |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.bytes.toLocaleString('en')} B | ${r.mode} | ${r.runs} | ${r.median_ms} | ${r.p90_ms} | ${r.max_ms} | ${r.mode === 'plain' ? '-' : `+${r.over_plain_ms}`} |`),
  '',
].join('\n');
await writeFile(`${OUT}.json`, `${JSON.stringify({ machine, date, runs: RUNS, rows }, null, 2)}\n`);
await writeFile(`${OUT}.md`, md);
process.stderr.write(`wrote ${OUT}.{json,md}\n`);
