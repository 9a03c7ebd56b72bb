import { DuetError } from '../../errors';
import { bytesPerElement } from '../../tensor';
import type { LossyCodec } from '../codec';
import { checkEncodeInput, checkWholeElements, decodeCap } from '../caps';
import { codecLimits, DGC_MAX_ADJUSTMENTS, DGC_MIN_SAMPLE, DGC_SAMPLE_RATIO, LOSSY_DEFAULT_RATIO } from '../constants';
import { FRAME_FORMAT } from '../frame';
import { acceptsFloat, type LossyOptions } from './common';
import { addInto, assertFloat, squaredNorm, workArray, type FloatArray } from './floats';
import { freshSeed, uniform, xorshift32 } from './random';
import { ResidualStore } from './residuals';
import { kthLargest, topKIndices } from './select';
import { keepCount, ratioOf, readSparseGradient, sparseGradientFrameBytes, sparseGradientSize, writeSparseGradient } from './sparse-gradient';

// Deep Gradient Compression (Lin, Han, Mao, Wang, Dally; ICLR 2018), per stream:
//   local gradient clipping  g <- g * min(1, clipNorm / ||g||)
//   momentum correction      u <- m u + g;  v <- v + u      (accumulate velocity, not gradient)
//   sparsification           send v where |v| >= threshold; the threshold comes from a ~1%
//                            sample and is adjusted toward the target count k
//   momentum factor masking  u <- 0 and v <- 0 where sent   (stale momentum would overshoot)
// Warm-up (ramping sparsity over the first epochs) is the trainer's job: it can pass a
// smaller ratio through a second codec instance.

export interface DgcOptions extends LossyOptions {
  /** Momentum m; 0.9 as in the paper. */
  momentum?: number;
  /** L2 norm each local gradient is clipped to; no clipping when absent. */
  clipNorm?: number;
  /** Seeds the threshold sampling, for reproducible runs. */
  seed?: number;
}

export interface DgcSelection {
  indices: Uint32Array;
  /** How the threshold was found, for tests and the benchmark. */
  sampled: boolean;
  adjustments: number;
}

/** Picks about k indices of the largest |v| from a sampled threshold (DGC section 3). */
export function dgcSelect(v: FloatArray, k: number, random: () => number): DgcSelection {
  const n = v.length;
  const sampleSize = Math.min(n, Math.max(DGC_MIN_SAMPLE, Math.ceil(n * DGC_SAMPLE_RATIO)));
  if (sampleSize >= n || k === 0) return { indices: topKIndices(v, k), sampled: false, adjustments: 0 };
  const sample = new Float64Array(sampleSize);
  for (let j = 0; j < sampleSize; j++) sample[j] = Math.abs(v[Math.floor(uniform(random) * n)]!);
  let threshold = kthLargest(sample, Math.max(1, Math.round((sampleSize * k) / n)));
  const count = (t: number) => {
    let c = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v[i]!) >= t) c++;
    return c;
  };
  let selected = count(threshold);
  let adjustments = 0;
  // The sample overestimated the threshold: lower it until at least ~0.8k pass.
  while (selected < 0.8 * k && adjustments < DGC_MAX_ADJUSTMENTS && threshold > 0) {
    threshold *= 0.8;
    selected = count(threshold);
    adjustments++;
  }
  const candidates = new Uint32Array(selected);
  let c = 0;
  for (let i = 0; i < n; i++) if (Math.abs(v[i]!) >= threshold) candidates[c++] = i;
  // Too many passed (ties, or an underestimate): exact top-k among the candidates, as in the paper.
  return { indices: selected > k ? topKIndices(v, k, candidates) : candidates, sampled: true, adjustments };
}

export function createDgcCodec(options: DgcOptions = {}): LossyCodec & { momentum(stream: string): Float64Array | undefined } {
  const limits = codecLimits(options);
  const ratio = ratioOf('dgc', options.ratio ?? LOSSY_DEFAULT_RATIO);
  const m = options.momentum ?? 0.9;
  if (!(m >= 0 && m < 1)) throw new DuetError('INVALID_ARGUMENT', `Codec dgc: momentum=${m} must be in [0, 1).`, { reason: 'BAD_CONFIG' });
  const clipNorm = options.clipNorm;
  if (clipNorm !== undefined && !(clipNorm > 0)) throw new DuetError('INVALID_ARGUMENT', `Codec dgc: clipNorm=${clipNorm} must be positive.`, { reason: 'BAD_CONFIG' });
  const store = new ResidualStore('dgc', options.maxStreams);
  const random = xorshift32(options.seed ?? freshSeed());
  return {
    id: 'dgc',
    kind: 'lossy',
    accepts: acceptsFloat,
    async encode(input) {
      const dtype = assertFloat('dgc', input.dtype);
      checkEncodeInput('dgc', input.bytes, limits);
      checkWholeElements('dgc', input.bytes, bytesPerElement(dtype));
      const n = input.bytes.byteLength / bytesPerElement(dtype);
      const scale = clipNorm === undefined ? 1 : Math.min(1, clipNorm / Math.sqrt(squaredNorm(dtype, input.bytes) || 1));
      let v: FloatArray;
      let u: FloatArray | undefined;
      if (input.stream === undefined) {
        v = workArray(dtype, n);
        addInto('dgc', v, dtype, input.bytes, scale);
      } else {
        const s = store.state(input.stream, dtype, n, true);
        v = s.residual;
        u = s.momentum!;
        try {
          for (let i = 0; i < n; i++) u[i]! *= m;
          addInto('dgc', u, dtype, input.bytes, scale);
        } catch (e) {
          store.reset(input.stream);
          throw e;
        }
        for (let i = 0; i < n; i++) v[i]! += u[i]!;
      }
      const { indices } = dgcSelect(v, keepCount(n, ratio), random);
      const frame = await writeSparseGradient(FRAME_FORMAT.dgc, dtype, v, indices);
      if (u !== undefined) for (const i of indices) u[i] = 0;
      return frame;
    },
    decode: (frame, o) => readSparseGradient(frame, FRAME_FORMAT.dgc, 'dgc', decodeCap(limits, o)),
    declaredSize: (frame) => sparseGradientSize(frame, FRAME_FORMAT.dgc, 'dgc'),
    frameBytes: (dtype, byteLength) => sparseGradientFrameBytes(dtype, byteLength, ratio, false),
    residual: (stream) => store.residualCopy(stream),
    momentum: (stream) => {
      const s = store.get(stream);
      return s?.momentum && Float64Array.from(s.momentum);
    },
    resetStream: (stream) => store.reset(stream),
  };
}
