import { DuetError } from '../../errors';
import { configuredLimit } from '../../limits';
import { fromFloat16Bits, toFloat16Bits } from '../../tensor';
import type { LossyCodec } from '../codec';
import { decodeCap } from '../caps';
import { codecLimits, QSGD_BUCKET_RANGE, QSGD_DEFAULT_BUCKET, QSGD_DEFAULT_LEVELS, QSGD_LEVELS_RANGE } from '../constants';
import { allocFrame, FRAME_FORMAT, FRAME_HEADER_BYTES, openFrame, readFrameHeader, sealFrame } from '../frame';
import { accumulate, acceptsFloat, type LossyOptions } from './common';
import { denseOut, isFloatDType, widthOf, type FloatDType } from './floats';
import { freshSeed, uniform, xorshift32 } from './random';
import { ResidualStore } from './residuals';

// QSGD (Alistarh et al., NeurIPS 2017): per bucket of d elements, send the L2 norm and,
// for each element, a sign and a level l in 0..s chosen by unbiased stochastic rounding of
// s|x|/norm. The receiver rebuilds x' = sign * norm * l / s, so |x' - x| <= norm / s.
//
// Body: u32 n, u32 bucket, u8 s, u8 bits, u16 0, f32 norms[ceil(n / bucket)],
//       then n codes of `bits` bits each ((l << 1) | sign), packed LSB-first.

export interface QsgdOptions extends LossyOptions {
  levels?: number;
  bucket?: number;
  seed?: number;
}

const bitsFor = (levels: number) => 1 + Math.ceil(Math.log2(levels + 1));

/** The value the receiver rebuilds, rounded as the output dtype will round it. */
function rebuild(dtype: FloatDType, norm: number, level: number, negative: boolean, s: number): number {
  const x = ((negative ? -norm : norm) * level) / s;
  if (dtype === 'float16') return fromFloat16Bits(toFloat16Bits(x));
  return dtype === 'float64' ? x : Math.fround(x);
}

export function createQsgdCodec(options: QsgdOptions = {}): LossyCodec {
  const limits = codecLimits(options);
  const s = configuredLimit('levels', options.levels, QSGD_DEFAULT_LEVELS, QSGD_LEVELS_RANGE);
  const bucket = configuredLimit('bucket', options.bucket, QSGD_DEFAULT_BUCKET, QSGD_BUCKET_RANGE);
  const bits = bitsFor(s);
  const store = new ResidualStore('qsgd', options.maxStreams);
  const random = xorshift32(options.seed ?? freshSeed());
  return {
    id: 'qsgd',
    kind: 'lossy',
    accepts: acceptsFloat,
    async encode(input) {
      const { dtype, n, acc } = accumulate('qsgd', input, limits, store);
      const buckets = Math.ceil(n / bucket);
      const codesAt = 12 + 4 * buckets;
      const { frame, body } = allocFrame(codesAt + Math.ceil((n * bits) / 8));
      const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
      v.setUint32(0, n, true);
      v.setUint32(4, bucket, true);
      v.setUint8(8, s);
      v.setUint8(9, bits);
      let word = 0;
      let used = 0;
      let at = codesAt;
      for (let b = 0; b < buckets; b++) {
        const start = b * bucket;
        const end = Math.min(n, start + bucket);
        let sq = 0;
        for (let i = start; i < end; i++) sq += acc[i]! * acc[i]!;
        const norm = Math.fround(Math.sqrt(sq));
        v.setFloat32(12 + 4 * b, norm, true);
        for (let i = start; i < end; i++) {
          const x = acc[i]!;
          let level = 0;
          if (norm > 0) {
            const r = Math.min(s, (Math.abs(x) / norm) * s);
            level = Math.floor(r);
            if (uniform(random) < r - level) level++;
          }
          const negative = x < 0;
          acc[i] = x - rebuild(dtype, norm, level, negative, s);
          word |= ((level << 1) | (negative ? 1 : 0)) << used;
          used += bits;
          while (used >= 8) {
            body[at++] = word & 0xff;
            word >>>= 8;
            used -= 8;
          }
        }
      }
      if (used > 0) body[at] = word & 0xff;
      return sealFrame(frame, { format: FRAME_FORMAT.qsgd, dtype, mode: 0, decodedBytes: n * widthOf(dtype) });
    },
    async decode(frame, o) {
      const f = await openFrame(frame, FRAME_FORMAT.qsgd, 'qsgd', decodeCap(limits, o));
      const corrupt = (what: string) => new DuetError('DATA_LOSS', `A qsgd frame is corrupt: ${what}.`, { reason: 'CORRUPT' });
      if (f.dtype !== 'float16' && f.dtype !== 'float32' && f.dtype !== 'float64') throw corrupt(`dtype ${f.dtype} is not a float`);
      const dtype: FloatDType = f.dtype;
      if (f.body.byteLength < 12) throw corrupt('the body is too short');
      const v = new DataView(f.body.buffer, f.body.byteOffset, f.body.byteLength);
      const n = v.getUint32(0, true);
      const d = v.getUint32(4, true);
      const levels = v.getUint8(8);
      const width = v.getUint8(9);
      if (n * widthOf(dtype) !== f.decodedBytes) throw corrupt(`n=${n} disagrees with the declared ${f.decodedBytes} bytes`);
      if (d < 1 || levels < 1 || width !== bitsFor(levels)) throw corrupt(`bucket=${d}, levels=${levels}, bits=${width} are inconsistent`);
      const buckets = Math.ceil(n / d);
      const codesAt = 12 + 4 * buckets;
      if (f.body.byteLength !== codesAt + Math.ceil((n * width) / 8)) throw corrupt('the body length does not match n');
      const out = denseOut(dtype, n);
      const mask = (1 << width) - 1;
      let word = 0;
      let have = 0;
      let at = codesAt;
      for (let i = 0; i < n; i++) {
        while (have < width) {
          word |= f.body[at++]! << have;
          have += 8;
        }
        const code = word & mask;
        word >>>= width;
        have -= width;
        const level = code >>> 1;
        if (level > levels) throw corrupt(`level ${level} is above ${levels}`);
        const norm = v.getFloat32(12 + 4 * Math.floor(i / d), true);
        out.set(i, rebuild(dtype, norm, level, (code & 1) === 1, levels));
      }
      return out.bytes;
    },
    declaredSize: (frame) => readFrameHeader(frame, FRAME_FORMAT.qsgd, 'qsgd').decodedBytes,
    frameBytes: (dtype, byteLength) => {
      if (!isFloatDType(dtype)) return byteLength;
      const n = Math.floor(byteLength / widthOf(dtype));
      return FRAME_HEADER_BYTES + 12 + 4 * Math.ceil(n / bucket) + Math.ceil((n * bits) / 8);
    },
    residual: (stream) => store.residualCopy(stream),
    resetStream: (stream) => store.reset(stream),
  };
}
