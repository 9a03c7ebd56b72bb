import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { DuetError } from '../errors';

/** Encodes a message; the one place every wire message is serialised. */
export function encode<D extends DescMessage>(schema: D, message: MessageShape<D>): Uint8Array {
  return toBinary(schema, message);
}

/**
 * Decodes and validates an inbound message. Protobuf parsing alone accepts most byte strings,
 * so callers must also check that the expected oneof is set; `what` names the message for errors.
 */
export function decode<D extends DescMessage>(schema: D, bytes: Uint8Array, what: string): MessageShape<D> {
  try {
    return fromBinary(schema, bytes);
  } catch (cause) {
    throw new DuetError('INVALID_ARGUMENT', `Malformed ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      reason: 'MALFORMED_MESSAGE',
      cause,
    });
  }
}
