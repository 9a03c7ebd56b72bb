import type { Codec } from './codec';
import { codecLimits, type CodecLimitSettings } from './constants';
import { checkEncodeInput, decodeCap } from './caps';
import { enforceLimit } from '../limits';

// `none` sends the bytes as they are: its frame *is* the input (a view, no copy), and the
// declared size is the frame's length, so there is nothing to inflate and nothing to bomb.
// Integrity is the Arrow layer's hash (and AES-GCM where the path crosses the hub).

export function createNoneCodec(settings: CodecLimitSettings = {}): Codec {
  const limits = codecLimits(settings);
  return {
    id: 'none',
    kind: 'lossless',
    accepts: () => true,
    encode: async ({ bytes }) => {
      checkEncodeInput('none', bytes, limits);
      return bytes;
    },
    decode: async (frame, options) => {
      enforceLimit('maxDecodedBytes', frame.byteLength, decodeCap(limits, options), 'A none frame');
      return frame;
    },
    declaredSize: (frame) => frame.byteLength,
  };
}
