import type { LossyCodec } from '../codec';
import { decodeCap } from '../caps';
import { codecLimits, LOSSY_DEFAULT_RATIO } from '../constants';
import { FRAME_FORMAT } from '../frame';
import { accumulate, acceptsFloat, type LossyOptions } from './common';
import { ResidualStore } from './residuals';
import { topKIndices } from './select';
import { keepCount, ratioOf, readSparseGradient, sparseGradientFrameBytes, sparseGradientSize, writeSparseGradient } from './sparse-gradient';

/** Top-k: sends the ratio x n largest-magnitude elements of (residual + gradient), exactly. */
export function createTopKCodec(options: LossyOptions = {}): LossyCodec {
  const limits = codecLimits(options);
  const ratio = ratioOf('topk', options.ratio ?? LOSSY_DEFAULT_RATIO);
  const store = new ResidualStore('topk', options.maxStreams);
  return {
    id: 'topk',
    kind: 'lossy',
    accepts: acceptsFloat,
    async encode(input) {
      const { dtype, n, acc } = accumulate('topk', input, limits, store);
      return writeSparseGradient(FRAME_FORMAT.topk, dtype, acc, topKIndices(acc, keepCount(n, ratio)));
    },
    decode: (frame, o) => readSparseGradient(frame, FRAME_FORMAT.topk, 'topk', decodeCap(limits, o)),
    declaredSize: (frame) => sparseGradientSize(frame, FRAME_FORMAT.topk, 'topk'),
    frameBytes: (dtype, byteLength) => sparseGradientFrameBytes(dtype, byteLength, ratio, false),
    residual: (stream) => store.residualCopy(stream),
    resetStream: (stream) => store.reset(stream),
  };
}
