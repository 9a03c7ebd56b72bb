import { isLossy, type Codec, type CodecRegistry } from '../codecs';
import { DuetError } from '../errors';
import { bytesPerElement, type DType } from '../tensor';
import { COST_SAMPLE_BYTES, COST_SAMPLE_RUNS, RATIO_SAMPLE_BYTES, SAMPLE_RETIME_BELOW_MS, SAMPLE_SIZE_EXPONENT_MIN } from './constants';

// How fast each codec is on this machine, per dtype, measured at start-up on small
// samples; and how well it compresses a given payload, estimated by compressing a sample
// of that payload. Time comes from an injected clock so tests can be exact.

export interface CodecCost {
  /** Raw (uncompressed) bytes per second through encode. */
  readonly encodeBps: number;
  /** Raw bytes per second through decode. */
  readonly decodeBps: number;
}

export type Clock = () => number;
const defaultClock: Clock = () => globalThis.performance.now();

export class CodecCostModel {
  private readonly costs = new Map<string, CodecCost>();

  set(codecId: string, dtype: DType, cost: CodecCost): this {
    this.costs.set(`${codecId}/${dtype}`, cost);
    return this;
  }

  /** The cost for this dtype, else for another dtype of the same width, else undefined. */
  get(codecId: string, dtype: DType): CodecCost | undefined {
    const exact = this.costs.get(`${codecId}/${dtype}`);
    if (exact !== undefined) return exact;
    for (const [key, cost] of this.costs) {
      const [id, d] = key.split('/') as [string, DType];
      if (id === codecId && bytesPerElement(d) === bytesPerElement(dtype)) return cost;
    }
    return undefined;
  }

  entries(): [string, CodecCost][] {
    return [...this.costs];
  }
}

/** A sample like real tensors of this dtype: a smooth signal with noise and some zeros. */
export function syntheticSample(dtype: DType, bytes: number): Uint8Array {
  const n = Math.floor(bytes / bytesPerElement(dtype));
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
  const v = (i: number) => (i % 7 === 0 ? 0 : Math.sin(i / 40) + 0.05 * noise());
  let a: ArrayBufferView;
  switch (dtype) {
    case 'float32':
      a = Float32Array.from({ length: n }, (_, i) => v(i));
      break;
    case 'float64':
      a = Float64Array.from({ length: n }, (_, i) => v(i));
      break;
    case 'int64':
      a = BigInt64Array.from({ length: n }, (_, i) => BigInt(Math.round(v(i) * 1000)));
      break;
    case 'float16':
    case 'int16':
      a = Int16Array.from({ length: n }, (_, i) => Math.round(v(i) * 1000));
      break;
    case 'int32':
      a = Int32Array.from({ length: n }, (_, i) => Math.round(v(i) * 1e6));
      break;
    default:
      a = Uint8Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 3 & 1 : Math.round((v(i) + 1) * 100)));
  }
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface MeasureOptions {
  dtypes?: readonly DType[];
  sampleBytes?: number;
  /**
   * Sample size for lossy codecs (default: sampleBytes). Their cost per element falls with
   * size (DGC samples a fixed number of elements for its threshold: 107 MB/s on 64 KiB, 636 MB/s
   * on 4 MiB here, while top-k went 247 -> 233 MB/s), so a small sample misranks them.
   */
  lossySampleBytes?: number;
  runs?: number;
  now?: Clock;
}

/** Times encode and decode of every registered codec on each dtype's sample (median of runs). */
export async function measureCodecCosts(registry: CodecRegistry, options: MeasureOptions = {}): Promise<CodecCostModel> {
  const model = new CodecCostModel();
  const now = options.now ?? defaultClock;
  const dtypes = options.dtypes ?? ['float32', 'float64', 'uint8', 'float16'];
  for (const dtype of dtypes) {
    const sampleBytes = options.sampleBytes ?? COST_SAMPLE_BYTES;
    const sample = syntheticSample(dtype, sampleBytes);
    const lossySample = options.lossySampleBytes === undefined || options.lossySampleBytes === sampleBytes ? sample : syntheticSample(dtype, options.lossySampleBytes);
    for (const codec of registry.list()) {
      if (!codec.accepts(dtype)) continue;
      model.set(codec.id, dtype, await timeCodec(codec, dtype, codec.kind === 'lossy' ? lossySample : sample, options.runs ?? COST_SAMPLE_RUNS, now));
    }
  }
  return model;
}

/**
 * Lossy codecs are timed on a stream of their own, forgotten afterwards: a real gradient
 * always comes with a stream, and then the codec also updates its error feedback (DGC: the
 * momentum, two more passes over the tensor), which a call without a stream skips. Timed
 * without it, DGC looked faster than top-k on 4 MB gradients where it was slower.
 */
export const TIMING_STREAM = '\u0000negotiator-timing';

/** The timing stream for inputs of this size: a stream holds one length, and samples come in two. */
const timingStream = (bytes: Uint8Array) => `${TIMING_STREAM}/${bytes.byteLength}`;

async function timedEncode(codec: Codec, dtype: DType, bytes: Uint8Array, used: Set<string>): Promise<Uint8Array> {
  if (!isLossy(codec)) return codec.encode({ dtype, bytes });
  const stream = timingStream(bytes);
  used.add(stream);
  try {
    return await codec.encode({ dtype, bytes, stream });
  } catch (e) {
    // Every stream slot is taken by real gradients (maxStreams): time it without a stream
    // rather than fail the transfer; the estimate is then a little low, as before.
    if (e instanceof DuetError && e.reason === 'LIMIT_EXCEEDED') return codec.encode({ dtype, bytes });
    throw e;
  }
}

function forgetTiming(codec: Codec, used: Set<string>): void {
  if (isLossy(codec)) for (const stream of used) codec.resetStream(stream);
}

interface Timed {
  enc: number;
  dec: number;
  frame: Uint8Array;
}

/** One encode and one decode of `input`, each timed on `now`. */
async function timeOnce(codec: Codec, dtype: DType, input: Uint8Array, used: Set<string>, now: Clock): Promise<Timed> {
  const t0 = now();
  const frame = await timedEncode(codec, dtype, input, used);
  const t1 = now();
  await codec.decode(frame);
  const t2 = now();
  return { enc: t1 - t0, dec: t2 - t1, frame };
}

export async function timeCodec(codec: Codec, dtype: DType, sample: Uint8Array, runs: number, now: Clock = defaultClock): Promise<CodecCost> {
  const enc: number[] = [];
  const dec: number[] = [];
  const used = new Set<string>();
  try {
    await codec.decode(await timedEncode(codec, dtype, sample, used)); // warm-up: wasm instantiation, JIT, stream state
    for (let r = 0; r < runs; r++) {
      const t = await timeOnce(codec, dtype, sample, used, now);
      enc.push(t.enc);
      dec.push(t.dec);
    }
  } finally {
    forgetTiming(codec, used);
  }
  // A zero time (coarse clocks, `none`) means "faster than we can see": treat as 1 µs.
  const bps = (ms: number) => sample.byteLength / (Math.max(ms, 0.001) / 1000);
  return { encodeBps: bps(median(enc)), decodeBps: bps(median(dec)) };
}

/** Evenly spaced slices of the payload, element-aligned, about `size` bytes in all. */
export function samplePayload(bytes: Uint8Array, dtype: DType, size = RATIO_SAMPLE_BYTES): Uint8Array {
  if (bytes.byteLength <= size) return bytes;
  const slices = 8;
  const width = bytesPerElement(dtype);
  const slice = Math.max(width, Math.floor(size / slices / 64) * 64);
  const stride = Math.floor((bytes.byteLength - slice) / (slices - 1) / width) * width;
  const out = new Uint8Array(slice * slices);
  for (let s = 0; s < slices; s++) out.set(bytes.subarray(s * stride, s * stride + slice), s * slice);
  return out;
}

/**
 * The payload's ratio under each codec (raw / frame size), from compressing one sample.
 * Lossy codecs are run without a stream, so this leaves no trace in their residuals.
 */
export async function estimateRatios(codecs: readonly Codec[], dtype: DType, bytes: Uint8Array, sampleSize = RATIO_SAMPLE_BYTES): Promise<Record<string, number>> {
  const sample = samplePayload(bytes, dtype, sampleSize);
  const ratios: Record<string, number> = {};
  for (const codec of codecs) {
    if (!codec.accepts(dtype)) continue;
    if (codec.id === 'none') {
      ratios[codec.id] = 1;
      continue;
    }
    const frame = await codec.encode({ dtype, bytes: sample });
    ratios[codec.id] = sample.byteLength / Math.max(1, frame.byteLength);
  }
  return ratios;
}

export interface SampledCodecs {
  /** Raw / frame size on the sample, per codec id. */
  readonly ratios: Record<string, number>;
  /** Encode and decode speed on the sample, per codec id (raw bytes per second). */
  readonly costs: Record<string, CodecCost>;
}

/**
 * Like estimateRatios(), but also times one encode and one decode of the sample per codec. A
 * payload's own bytes can code at very different speeds from the start-up sample (xz runs at
 * ~27 MB/s on smooth data and ~2.7 MB/s on noise), and the sample is being compressed anyway.
 * Lossy codecs run on their timing stream (see TIMING_STREAM), forgotten afterwards, so no
 * real stream's residual is touched.
 *
 * With `payloadBytes` larger than the sample, a quarter-size sample is timed as well and the
 * speeds are for the whole payload: time grows as size^b between the two samples, and the
 * payload's time is extrapolated with that b (kept within [SAMPLE_SIZE_EXPONENT_MIN, 1]).
 * Per-byte speed is not constant: blosc-zstd encoded MNIST at 29 MB/s on 256 KiB and 64 MB/s
 * on 4 MB, as its blocks grow with the input; a linear model made it lose to blosc-lz4 where
 * it was 1.4x faster end to end.
 */
export async function sampleCodecs(
  codecs: readonly Codec[],
  dtype: DType,
  bytes: Uint8Array,
  options: { sampleSize?: number; now?: Clock; payloadBytes?: number } = {},
): Promise<SampledCodecs> {
  const now = options.now ?? defaultClock;
  const sample = samplePayload(bytes, dtype, options.sampleSize ?? RATIO_SAMPLE_BYTES);
  const target = options.payloadBytes ?? sample.byteLength;
  const quarter = target >= 2 * sample.byteLength ? samplePayload(sample, dtype, Math.floor(sample.byteLength / 4)) : undefined;
  const ratios: Record<string, number> = {};
  const costs: Record<string, CodecCost> = {};
  const used = new Set<string>();
  const faster = (a: Timed | undefined, b: Timed) => (a === undefined || b.enc + b.dec < a.enc + a.dec ? b : a);
  for (const codec of codecs) {
    if (!codec.accepts(dtype)) continue;
    if (codec.id === 'none') {
      ratios[codec.id] = 1;
      continue;
    }
    let best: Timed | undefined;
    let bestQuarter: Timed | undefined;
    // A quick first run is timed again and the faster kept: a JS codec's first pass over a new
    // kind of data runs before V8 has optimised that path (sparse's bitmap decoder, cold, was
    // ~10x slower). A slow first run (xz, zstd: native or wasm) is not worth repeating.
    try {
      for (let run = 0; run < 2 && (best === undefined || best.enc + best.dec < SAMPLE_RETIME_BELOW_MS); run++) {
        if (quarter) bestQuarter = faster(bestQuarter, await timeOnce(codec, dtype, quarter, used, now));
        best = faster(best, await timeOnce(codec, dtype, sample, used, now));
      }
    } finally {
      forgetTiming(codec, used);
    }
    ratios[codec.id] = sample.byteLength / Math.max(1, best!.frame.byteLength);
    const scale = (full: number, small: number | undefined) => scaledMs(full, small, quarter?.byteLength ?? 0, sample.byteLength, target);
    const bps = (ms: number) => target / (Math.max(ms, 0.001) / 1000);
    costs[codec.id] = { encodeBps: bps(scale(best!.enc, bestQuarter?.enc)), decodeBps: bps(scale(best!.dec, bestQuarter?.dec)) };
  }
  return { ratios, costs };
}

/**
 * The time for `target` bytes from `ms` on `size` bytes and `smallMs` on `smallSize`, taking
 * time to grow as size^b with b fitted on the two (within [SAMPLE_SIZE_EXPONENT_MIN, 1]);
 * linear without the small sample or when either reading is too small to fit.
 */
export function scaledMs(ms: number, smallMs: number | undefined, smallSize: number, size: number, target: number): number {
  const grow = target / size;
  if (grow === 1) return ms;
  let b = 1;
  if (smallMs !== undefined && smallMs > 0 && ms > 0 && smallSize > 0 && size > smallSize) {
    b = Math.min(1, Math.max(SAMPLE_SIZE_EXPONENT_MIN, Math.log(ms / smallMs) / Math.log(size / smallSize)));
  }
  return ms * grow ** b;
}
