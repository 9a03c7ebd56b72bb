import type { LossyCodec } from '../codec';
import { decodeCap } from '../caps';
import { codecLimits, LOSSY_DEFAULT_RATIO } from '../constants';
import { FRAME_FORMAT } from '../frame';
import { accumulate, acceptsFloat, type LossyOptions } from './common';
import { freshSeed, sampleIndices, xorshift32 } from './random';
import { ResidualStore } from './residuals';
import { keepCount, ratioOf, readSparseGradient, sparseGradientFrameBytes, sparseGradientSize, writeSparseGradient } from './sparse-gradient';

export interface RandomKOptions extends LossyOptions {
  /** Seeds the per-frame seeds, for reproducible runs; defaults to the platform CSPRNG. */
  seed?: number;
}

/**
 * Random-k: sends ratio x n uniformly chosen elements, unscaled (error feedback makes up
 * the rest later). The frame carries a 32-bit seed instead of indices, halving its size.
 */
export function createRandomKCodec(options: RandomKOptions = {}): LossyCodec {
  const limits = codecLimits(options);
  const ratio = ratioOf('randomk', options.ratio ?? LOSSY_DEFAULT_RATIO);
  const store = new ResidualStore('randomk', options.maxStreams);
  const seeds = xorshift32(options.seed ?? freshSeed());
  return {
    id: 'randomk',
    kind: 'lossy',
    accepts: acceptsFloat,
    async encode(input) {
      const { dtype, n, acc } = accumulate('randomk', input, limits, store);
      const seed = seeds();
      return writeSparseGradient(FRAME_FORMAT.randomk, dtype, acc, sampleIndices(n, keepCount(n, ratio), seed), seed);
    },
    decode: (frame, o) => readSparseGradient(frame, FRAME_FORMAT.randomk, 'randomk', decodeCap(limits, o), sampleIndices),
    declaredSize: (frame) => sparseGradientSize(frame, FRAME_FORMAT.randomk, 'randomk'),
    frameBytes: (dtype, byteLength) => sparseGradientFrameBytes(dtype, byteLength, ratio, true),
    residual: (stream) => store.residualCopy(stream),
    resetStream: (stream) => store.reset(stream),
  };
}
