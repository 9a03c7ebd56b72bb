// Codec micro benchmark: compress/decompress MB/s and ratio per codec and payload.
// Run: npx tsx bench/codecs.ts   (writes docs/benchmarks/codecs.json and codecs.md)
// Median of RUNS timed runs after one warm-up; MB = 10^6 bytes of raw (uncompressed) data.
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { registerNodeCodecs } from '../src/adapters/node-codecs';
import { createWasmXzBackend } from '../src/adapters/xz-wasm';
import { ChunkDeduper, createBloscCodec, createXzCodec, type Codec } from '../src/codecs';
import { choose, CodecCostModel, probedPath, type PathEstimate } from '../src/negotiator';
import { bytesPerElement, float16ToFloat32, type DType } from '../src/tensor';
import { gunzippedIdx, seededNormal } from './seeded';

const RUNS = Number(process.env.RUNS ?? 5);
const DATA = new URL('../../shared/data/mnist/', import.meta.url);

function idx(name: string, headerBytes: number): Uint8Array {
  return gunzippedIdx(new URL(name, DATA), headerBytes);
}

const normal = seededNormal; // the name the payload builders below use

interface Payload {
  name: string;
  what: string;
  dtype: DType;
  bytes: Uint8Array;
  gradient: boolean;
}

function payloads(): Payload[] {
  const pixels = idx('t10k-images-idx3-ubyte.gz', 16);
  const mnist = Float32Array.from(pixels, (p) => p / 255);
  const g = normal(1);
  const relu = Float32Array.from({ length: 4 * 1024 * 1024 }, () => Math.max(0, g() - 1.2816)); // 10% > 0
  const r = normal(2);
  const random = Float64Array.from({ length: 1024 * 1024 }, () => r() * 1e3);
  const labels = idx('t10k-labels-idx1-ubyte.gz', 8);
  const q = normal(3);
  // A gradient: mostly small Gaussian values, a heavy tail of larger ones.
  const grad = Float32Array.from({ length: 2 * 1024 * 1024 }, () => q() * 1e-3 * (q() > 2 ? 30 : 1));
  const view = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return [
    { name: 'mnist-f32', what: 'MNIST t10k images as float32 in [0,1] (smooth, ~81% zeros)', dtype: 'float32', bytes: view(mnist), gradient: false },
    { name: 'relu-f32', what: '90%-sparse float32 (ReLU of N(0,1) - 1.2816), 4 Mi elements', dtype: 'float32', bytes: view(relu), gradient: false },
    { name: 'random-f64', what: 'random float64 (N(0,1) x 1000), 1 Mi elements', dtype: 'float64', bytes: view(random), gradient: false },
    { name: 'labels-u8', what: 'MNIST t10k labels, uint8, 10,000 elements', dtype: 'uint8', bytes: labels, gradient: false },
    { name: 'grad-f32', what: 'float32 gradient (N(0,1e-3), 2.3% of it x30), 2 Mi elements', dtype: 'float32', bytes: view(grad), gradient: true },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  payload: string;
  codec: string;
  rawBytes: number;
  frameBytes: number;
  ratio: number;
  encodeMBps: number;
  decodeMBps: number;
  encodeMs: number;
  decodeMs: number;
  /** Lossy only: ||decoded - input|| / ||input||, one step without error feedback. */
  relError?: number;
}

function floats(dtype: DType, b: Uint8Array): Float64Array {
  const c = b.slice();
  if (dtype === 'float16') return Float64Array.from(float16ToFloat32(new Uint16Array(c.buffer)));
  return Float64Array.from(dtype === 'float32' ? new Float32Array(c.buffer) : new Float64Array(c.buffer));
}

async function bench(codec: Codec, p: Payload): Promise<Row> {
  let frame = await codec.encode({ dtype: p.dtype, bytes: p.bytes }); // warm-up
  let out = await codec.decode(frame);
  const enc: number[] = [];
  const dec: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    frame = await codec.encode({ dtype: p.dtype, bytes: p.bytes });
    const t1 = performance.now();
    out = await codec.decode(frame);
    const t2 = performance.now();
    enc.push(t1 - t0);
    dec.push(t2 - t1);
  }
  const e = median(enc);
  const d = median(dec);
  const row: Row = {
    payload: p.name,
    codec: codec.id,
    rawBytes: p.bytes.byteLength,
    frameBytes: frame.byteLength,
    ratio: p.bytes.byteLength / frame.byteLength,
    encodeMBps: p.bytes.byteLength / 1e6 / (e / 1000),
    decodeMBps: p.bytes.byteLength / 1e6 / (d / 1000),
    encodeMs: e,
    decodeMs: d,
  };
  if (codec.kind === 'lossy') {
    const x = floats(p.dtype, p.bytes);
    const y = floats(p.dtype, out);
    let num = 0;
    let den = 0;
    for (let i = 0; i < x.length; i++) {
      num += (y[i]! - x[i]!) ** 2;
      den += x[i]! ** 2;
    }
    row.relError = Math.sqrt(num / den);
  } else if (Buffer.compare(Buffer.from(out), Buffer.from(p.bytes)) !== 0) {
    throw new Error(`${codec.id} did not round-trip ${p.name}`);
  }
  return row;
}

interface DedupRow {
  payload: string;
  scenario: string;
  saved: number;
  bloscAloneBytes: number;
  dedupThenBloscBytes: number;
  fixedChunkSaved: number;
}

async function dedupStudy(ps: Payload[]): Promise<DedupRow[]> {
  const lz4 = createBloscCodec({ cname: 'lz4' });
  const rows: DedupRow[] = [];
  const size = async (dtype: DType, b: Uint8Array) => (b.byteLength === 0 ? 0 : (await lz4.encode({ dtype, bytes: b })).byteLength);
  for (const p of ps) {
    const scenarios: [string, Uint8Array[]][] = [['one send', [p.bytes]]];
    // The same tensor sent again after a small in-place update: 1% of elements, scattered.
    const changed = p.bytes.slice();
    for (let i = 0; i < changed.byteLength; i += 100 * bytesPerElement(p.dtype)) changed[i] = changed[i]! ^ 1;
    scenarios.push(['resend, 1% scattered changes', [p.bytes, changed]]);
    // ...or after one contiguous 1% region changed (e.g. one block of rows rewritten).
    const block = p.bytes.slice();
    const start = Math.floor(block.byteLength / 2);
    for (let i = start; i < start + Math.floor(block.byteLength / 100); i++) block[i] = block[i]! ^ 1;
    scenarios.push(['resend, 1% contiguous change', [p.bytes, block]]);
    for (const [scenario, sends] of scenarios) {
      const align = bytesPerElement(p.dtype);
      const d = new ChunkDeduper({ align });
      const f = new ChunkDeduper({ fixed: true, align });
      let report = await d.measure(sends[0]!);
      let fixed = await f.measure(sends[0]!);
      for (const s of sends.slice(1)) {
        report = await d.measure(s);
        fixed = await f.measure(s);
      }
      const last = sends[sends.length - 1]!;
      rows.push({
        payload: p.name,
        scenario,
        saved: report.saved,
        bloscAloneBytes: await size(p.dtype, last),
        dedupThenBloscBytes: (await size(p.dtype, report.unique)) + report.duplicateChunks * 8,
        fixedChunkSaved: fixed.saved,
      });
    }
  }
  return rows;
}

function modelPicks(rows: Row[], ps: Payload[]): { payload: string; link: string; pick: string; reason: string }[] {
  const links: [string, PathEstimate][] = [
    ['2 Mbit/s, 50 ms', probedPath('arrow-flight', 50, 2e6 / 8)],
    ['20 Mbit/s, 20 ms', probedPath('arrow-flight', 20, 20e6 / 8)],
    ['200 Mbit/s, 5 ms', probedPath('arrow-flight', 5, 200e6 / 8)],
    ['loopback (~600 MB/s)', probedPath('arrow-flight', 0.1, 600e6)],
  ];
  const out = [];
  for (const p of ps) {
    const mine = rows.filter((r) => r.payload === p.name);
    // This payload's own measured speeds (a start-up cost model would have one figure per dtype).
    const costs = new CodecCostModel();
    for (const r of mine) if (r.codec !== 'none') costs.set(r.codec, p.dtype, { encodeBps: r.encodeMBps * 1e6, decodeBps: r.decodeMBps * 1e6 });
    for (const [name, link] of links) {
      const c = choose({
        payload: { bytes: p.bytes.byteLength, dtype: p.dtype, gradient: p.gradient, ratios: Object.fromEntries(mine.map((r) => [r.codec, r.ratio])) },
        codecs: Object.fromEntries(mine.map((r) => [r.codec, ['topk', 'dgc', 'randomk', 'qsgd'].includes(r.codec) ? 'lossy' : 'lossless'])),
        costs,
        paths: [link],
        // Consent for the codecs BENCHMARKS.md section 2 compares on gradients.
        lossyConsent: p.gradient ? ['topk', 'dgc'] : false,
      });
      out.push({ payload: p.name, link: name, pick: c.codec, reason: c.reason });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const registry = registerNodeCodecs(undefined, { dgc: { seed: 1 }, randomk: { seed: 1 }, qsgd: { seed: 1 } });
  // The browser's xz (wasm both ways) as its own row, to compare with native compression.
  const wasmXz = { ...createXzCodec(createWasmXzBackend()), id: 'xz-wasm' };
  const ps = payloads();
  const rows: Row[] = [];
  for (const p of ps) {
    for (const codec of [...registry.list(), wasmXz]) {
      if (!codec.accepts(p.dtype) || (codec.kind === 'lossy' && !p.gradient)) continue;
      const row = await bench(codec, p);
      rows.push(row);
      console.log(`${p.name.padEnd(11)} ${codec.id.padEnd(10)} ratio ${row.ratio.toFixed(2).padStart(7)}  enc ${row.encodeMBps.toFixed(1).padStart(7)} MB/s  dec ${row.decodeMBps.toFixed(1).padStart(7)} MB/s`);
    }
  }
  const dedup = await dedupStudy(ps);
  const picks = modelPicks(rows.filter((r) => r.codec !== 'xz-wasm'), ps);
  const machine = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    os: `${platform()} ${release()}`,
    runs: RUNS,
    // Other work on the machine slows every codec alike; say how busy it was.
    loadAverage1mBefore: +loadBefore.toFixed(2),
    loadAverage1mAfter: +loadavg()[0]!.toFixed(2),
  };
  const url = new URL('../docs/benchmarks/', import.meta.url);
  mkdirSync(url, { recursive: true });
  writeFileSync(new URL('codecs.json', url), `${JSON.stringify({ machine, payloads: ps.map(({ name, what, dtype, bytes }) => ({ name, what, dtype, bytes: bytes.byteLength })), rows, dedup, modelPicks: picks }, null, 2)}\n`);
  writeFileSync(new URL('codecs.md', url), markdown(machine, ps, rows, dedup, picks));
  console.log('wrote docs/benchmarks/codecs.json and codecs.md');
}

function markdown(machine: Record<string, string | number>, ps: Payload[], rows: Row[], dedup: DedupRow[], picks: ReturnType<typeof modelPicks>): string {
  const f = (x: number, d = 1) => (x >= 1000 ? x.toFixed(0) : x.toFixed(d));
  const lines = [
    '# Codec micro benchmark',
    '',
    'Generated by `npx tsx bench/codecs.ts`; do not edit by hand. Raw numbers: `codecs.json`.',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}. Date: ${machine.date}.`,
    `1-minute load average: ${machine.loadAverage1mBefore} before, ${machine.loadAverage1mAfter} after (on ${machine.cores} cores; above ~1 means other work shared the CPUs, and every MB/s here is lower than on an idle machine).`,
    `Each figure is the median of ${machine.runs} runs after one warm-up, in one process, one payload at a time. MB/s counts raw (uncompressed) bytes, MB = 10^6 bytes. Ratio = raw bytes / frame bytes (frames include their 24-byte header).`,
    '`xz` compresses with native liblzma (lzma-native, 2 threads) and decompresses with the wasm build; `xz-wasm` is the browser configuration (wasm both ways). Lossy codecs run once per call without error feedback; `rel. error` is ||decoded − input|| / ||input|| for that one step.',
    '',
    '## Payloads',
    '',
    '| payload | what | dtype | bytes |',
    '|---|---|---|---:|',
    ...ps.map((p) => `| ${p.name} | ${p.what} | ${p.dtype} | ${p.bytes.byteLength.toLocaleString('en')} |`),
    '',
    '## Results',
    '',
    '| payload | codec | ratio | compress MB/s | decompress MB/s | compress ms | decompress ms | rel. error |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        r.codec === 'none'
          ? `| ${r.payload} | none | 1.00 | zero-copy | zero-copy | ${f(r.encodeMs, 3)} | ${f(r.decodeMs, 3)} | |`
          : `| ${r.payload} | ${r.codec} | ${r.ratio.toFixed(2)} | ${f(r.encodeMBps)} | ${f(r.decodeMBps)} | ${f(r.encodeMs, 2)} | ${f(r.decodeMs, 2)} | ${r.relError === undefined ? '' : r.relError.toFixed(3)} |`,
    ),
    '',
    '## Chunk dedup (measurement tool, `src/codecs/dedup.ts`)',
    '',
    'Constant-time content-defined chunking (64 chunks per 256 KiB packet, cuts searched in a 64-byte window), xxh64 fingerprints, 8 bytes per reference. `saved` = 1 − wire/raw for the last send of the scenario; the last two columns compare blosc-lz4 of the whole last send with blosc-lz4 of only its unique chunks plus references.',
    '',
    '| payload | scenario | dedup saved | fixed-size chunks saved | blosc-lz4 alone (bytes) | dedup then blosc-lz4 (bytes) |',
    '|---|---|---:|---:|---:|---:|',
    ...dedup.map(
      (d) => `| ${d.payload} | ${d.scenario} | ${(d.saved * 100).toFixed(1)}% | ${(d.fixedChunkSaved * 100).toFixed(1)}% | ${d.bloscAloneBytes.toLocaleString('en')} | ${d.dedupThenBloscBytes.toLocaleString('en')} |`,
    ),
    '',
    '## What choose() would pick from these numbers (a model, not a transfer)',
    '',
    'The negotiator fed with the measured codec speeds and ratios above and synthetic link figures (BENCHMARKS.md section 2 links; no traffic was sent). Lossy codecs are allowed for the gradient only, with consent for top-k and DGC (random-k would win on time alone, at a much larger error). Real shaped-link transfers are the negotiator benchmark\'s job.',
    '',
    '| payload | link | pick | reason |',
    '|---|---|---|---|',
    ...picks.map((p) => `| ${p.payload} | ${p.link} | ${p.pick} | ${p.reason} |`),
    '',
  ];
  return lines.join('\n');
}

await main();
