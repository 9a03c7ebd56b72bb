import type { FlightFrame } from '../arrow';
import { DuetError } from '../errors';
import { ARRAY_OF, assertDType, sizeOf, tensor, tensorBytes, type DType, type Tensor } from '../tensor';
import { plainBytes, randomId } from '../util/bytes';
import { defineMethod } from '../transport/rpc-types';
import { PATH_NAMES, type PathName } from '../transport/paths/types';
import {
  BenchCeilingRequestSchema,
  BenchCeilingResponseSchema,
  BenchPrepareRequestSchema,
  BenchPrepareResponseSchema,
  BenchSendRequestSchema,
  BenchSendResponseSchema,
  BenchTicketRequestSchema,
  BenchTicketResponseSchema,
} from '../wire/gen/duet/v1/bench_pb';
import type { Session } from './session';
import type { Transfers } from './transfers';

// "Arrow vs WebRTC" (../shared/BENCHMARKS.md section 1): the seed's 13 cases over our three
// paths, between any two peers (two Chromium pages, Node and a page, two Node processes).

export const BenchPrepare = defineMethod('duet.bench.prepare', BenchPrepareRequestSchema, BenchPrepareResponseSchema);
export const BenchSend = defineMethod('duet.bench.send', BenchSendRequestSchema, BenchSendResponseSchema);
export const BenchTicket = defineMethod('duet.bench.ticket', BenchTicketRequestSchema, BenchTicketResponseSchema);
export const BenchCeiling = defineMethod('duet.bench.ceiling', BenchCeilingRequestSchema, BenchCeilingResponseSchema);

export interface BenchCase {
  dtype: DType;
  shape: number[];
  /** The seed's milliseconds (004_87595ffc939334b9.txt): its Arrow and WebRTC columns. */
  seedArrowMs: number;
  seedWebrtcMs: number;
}

export const SEED_CASES: readonly BenchCase[] = [
  { dtype: 'float16', shape: [100, 100], seedArrowMs: 88.5, seedWebrtcMs: 62.5 },
  { dtype: 'float16', shape: [200, 200], seedArrowMs: 68.1, seedWebrtcMs: 96.3 },
  { dtype: 'float16', shape: [500, 500], seedArrowMs: 311.4, seedWebrtcMs: 1375.0 },
  { dtype: 'float16', shape: [1000, 1000], seedArrowMs: 332.7, seedWebrtcMs: 1674.7 },
  { dtype: 'float32', shape: [100, 100], seedArrowMs: 56.5, seedWebrtcMs: 57.1 },
  { dtype: 'float32', shape: [200, 200], seedArrowMs: 68.8, seedWebrtcMs: 132.2 },
  { dtype: 'float32', shape: [500, 500], seedArrowMs: 184.8, seedWebrtcMs: 681.9 },
  { dtype: 'float32', shape: [1000, 1000], seedArrowMs: 537.0, seedWebrtcMs: 2807.7 },
  { dtype: 'float64', shape: [100, 100], seedArrowMs: 74.4, seedWebrtcMs: 90.3 },
  { dtype: 'float64', shape: [200, 200], seedArrowMs: 92.1, seedWebrtcMs: 245.4 },
  { dtype: 'float64', shape: [500, 500], seedArrowMs: 272.4, seedWebrtcMs: 1302.5 },
  { dtype: 'float64', shape: [1000, 1000], seedArrowMs: 926.8, seedWebrtcMs: 5338.6 },
  { dtype: 'float64', shape: [3000, 3000], seedArrowMs: 5447.7, seedWebrtcMs: 21595.1 },
];

/** Random values of the dtype: floats as floats (float16 as raw half bits), ints across their range. */
export function randomTensor(dtype: DType, shape: readonly number[]): Tensor {
  const data = new ARRAY_OF[dtype](sizeOf(shape));
  if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  } else {
    const bytes = tensorBytes({ data } as Tensor);
    // getRandomValues fills at most 64 KiB per call.
    for (let at = 0; at < bytes.byteLength; at += 65536) crypto.getRandomValues(plainBytes(bytes.subarray(at, Math.min(bytes.byteLength, at + 65536))));
    if (dtype === 'bool') for (let i = 0; i < data.length; i++) (data as Uint8Array)[i]! &= 1;
  }
  return tensor(dtype, shape, data as never);
}

/** The owner's side: makes each case's tensor on request, then sends it when asked. */
export function serveBench(session: Session, transfers: Transfers): void {
  let current: Tensor | undefined;
  session.handle(BenchPrepare, (req) => {
    current = randomTensor(assertDType(req.dtype), req.shape.map(Number));
    return { byteLength: BigInt(tensorBytes(current).byteLength) };
  });
  session.handle(BenchSend, async (req) => {
    if (!current) throw new DuetError('FAILED_PRECONDITION', 'Prepare a benchmark tensor first.');
    // Codec pinned to none: this benchmark compares paths, not codecs.
    const s = await transfers.send(current, { transferId: req.transferId, path: req.path as PathName, codec: 'none' });
    return { ownerMs: s.ms, hash: s.hash };
  });
  session.handle(BenchTicket, async () => ({ ticket: await (await session.flightClient()).createTicket() }));
  session.handle(BenchCeiling, async (req) => {
    const started = performance.now();
    const raw = await transfers.raw(req.transport === 'flight' ? 'arrow-flight' : 'arrow-rtc');
    await raw.doPut(req.ticket, rawFrames(Number(req.bytes)));
    return { ownerMs: performance.now() - started };
  });
}

/** Frames of plain bytes: what the transport carries, with no Arrow, hashing or sealing. */
export const CEILING_FRAME_BYTES = 4 * 1024 * 1024;
async function* rawFrames(total: number): AsyncGenerator<FlightFrame> {
  const body = new Uint8Array(CEILING_FRAME_BYTES);
  for (let sent = 0; sent < total; sent += body.byteLength) {
    yield { dataHeader: new Uint8Array(), dataBody: body.subarray(0, Math.min(body.byteLength, total - sent)), appMetadata: new Uint8Array() };
  }
}

export interface CaseResult {
  dtype: DType;
  shape: number[];
  path: PathName;
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  mb_per_s: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface RunOptions {
  runs?: number;
  warmup?: number;
  paths?: readonly PathName[];
  /** After each timed transfer, for progress displays. */
  onRun?: (c: { dtype: DType; shape: number[]; path: PathName; ms: number }) => void;
}

/**
 * The scientist's side: one case, its paths interleaved run by run (A, B, C, A, B, C...) so
 * that the machine's drift hits every path alike. Time is from asking to the verified array.
 */
export async function runCase(session: Session, transfers: Transfers, c: Pick<BenchCase, 'dtype' | 'shape'>, options: RunOptions = {}): Promise<CaseResult[]> {
  const paths = options.paths ?? PATH_NAMES;
  const runs = options.runs ?? 5;
  const warmup = options.warmup ?? 1;
  const prepared = await session.call(BenchPrepare, { dtype: c.dtype, shape: c.shape.map(BigInt), seed: 1 }, { timeoutMs: 120_000 });
  const bytes = Number(prepared.byteLength);
  const times = new Map<PathName, number[]>(paths.map((p) => [p, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const path of paths) {
      const transferId = randomId(12);
      const started = performance.now();
      const arrived = transfers.expect(transferId, { timeoutMs: 120_000 });
      const [got] = await Promise.all([arrived, session.call(BenchSend, { transferId, path }, { timeoutMs: 300_000 })]);
      const ms = performance.now() - started;
      if (got.data.byteLength !== bytes) throw new DuetError('DATA_LOSS', `The ${path} case arrived with ${got.data.byteLength} of ${bytes} bytes.`);
      if (i >= warmup) {
        times.get(path)!.push(ms);
        options.onRun?.({ dtype: c.dtype, shape: c.shape, path, ms });
      }
    }
  }
  return paths.map((path) => {
    const t = times.get(path)!;
    const med = median(t);
    return { dtype: c.dtype, shape: c.shape, path, runs, median_ms: med, min_ms: Math.min(...t), max_ms: Math.max(...t), mb_per_s: bytes / 1e6 / (med / 1000) };
  });
}

/** The raw ceiling of a transport, in MB/s: the median of `runs` transfers of `bytes`. */
export function runCeiling(session: Session, transfers: Transfers, transport: 'datachannel' | 'flight', bytes: number, runs = 3): Promise<number> {
  return timedRuns(runs, bytes, async () => [await rawTransfer(session, transfers, transport, bytes)]);
}

/**
 * Both transports at once, `datachannelShare` of the bytes on the DataChannel and the rest
 * through the Flight relay, in MB/s of the whole: the most a path that striped one tensor over
 * both could reach, since both pages' CPUs serve the two at the same time.
 */
export function runStripedCeiling(session: Session, transfers: Transfers, bytes: number, datachannelShare: number, runs = 3): Promise<number> {
  const onChannel = Math.round(bytes * Math.min(1, Math.max(0, datachannelShare)));
  return timedRuns(runs, bytes, async () => [
    await rawTransfer(session, transfers, 'datachannel', onChannel),
    await rawTransfer(session, transfers, 'flight', bytes - onChannel),
  ]);
}

/** Runs `prepare`d raw transfers together, once to warm up and then `runs` times; the median MB/s. */
async function timedRuns(runs: number, bytes: number, prepare: () => Promise<Array<() => Promise<void>>>): Promise<number> {
  const rates: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const moves = await prepare();
    const started = performance.now();
    await Promise.all(moves.map((move) => move()));
    const ms = performance.now() - started;
    if (i > 0) rates.push(bytes / 1e6 / (ms / 1000)); // the first run warms up
  }
  return median(rates);
}

/** Gets the ticket and transport for one raw transfer of `bytes`; the returned function moves them. */
async function rawTransfer(session: Session, transfers: Transfers, transport: 'datachannel' | 'flight', bytes: number): Promise<() => Promise<void>> {
  const ticket = transport === 'flight' ? (await session.call(BenchTicket, {})).ticket : new TextEncoder().encode(`ceiling-${randomId(8)}`);
  const raw = await transfers.raw(transport === 'flight' ? 'arrow-flight' : 'arrow-rtc');
  return async () => {
    const reading = (async () => {
      let got = 0;
      for await (const f of raw.doGet(ticket)) got += f.dataBody.byteLength;
      return got;
    })();
    const [got] = await Promise.all([reading, session.call(BenchCeiling, { transport, bytes: BigInt(bytes), ticket }, { timeoutMs: 300_000 })]);
    if (got !== bytes) throw new DuetError('DATA_LOSS', `The ${transport} ceiling run moved ${got} of ${bytes} bytes.`);
  };
}
