import { DuetError } from '../errors';
import { enforceLimit } from '../limits';
import type { DecodeOptions } from './codec';
import type { CodecLimits } from './constants';

/** The decode cap: the caller's maxBytes, never above the configured maxDecodedBytes. */
export function decodeCap(limits: CodecLimits, options: DecodeOptions | undefined): number {
  const asked = options?.maxBytes;
  if (asked === undefined) return limits.maxDecodedBytes;
  if (!Number.isSafeInteger(asked) || asked < 0) {
    throw new DuetError('INVALID_ARGUMENT', `maxBytes=${String(asked)} is invalid: it must be a non-negative integer.`, { reason: 'BAD_ARGUMENT' });
  }
  return Math.min(asked, limits.maxDecodedBytes);
}

/** Refuses an encoder input the receiver would have to refuse. */
export function checkEncodeInput(codecId: string, bytes: Uint8Array, limits: CodecLimits): void {
  enforceLimit('maxDecodedBytes', bytes.byteLength, limits.maxDecodedBytes, `The input to codec ${codecId}`);
}

/** Refuses inputs that are not whole elements of the dtype. */
export function checkWholeElements(codecId: string, bytes: Uint8Array, width: number): void {
  if (bytes.byteLength % width !== 0) {
    throw new DuetError('INVALID_ARGUMENT', `Codec ${codecId} got ${bytes.byteLength} bytes, not a whole number of ${width}-byte elements.`, {
      reason: 'BAD_LENGTH',
    });
  }
}
