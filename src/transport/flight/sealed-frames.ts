import type { FlightFrame } from '../../arrow';
import { DuetError } from '../../errors';
import { SEAL_NONCE_PREFIX_BYTES, SEAL_SALT_BYTES } from '../constants';
import { createOpener, createSealer, type Opener, type SealCrypto, type SealKey } from '../seal';

// A sealed stream keeps FlightData's shape, so the relay handles it like any other: each
// frame's data_header and data_body are sealed separately (two messages of the sealer, no
// concatenation copy). app_metadata stays in the clear and holds only what the receiver needs
// to open: a flags byte, and in the first frame the seal header (salt, nonce prefix).
// The hub sees ciphertext and sizes, nothing else.

const FLAG_FINAL = 1;
const FLAG_HEADER = 2;

function meta(flags: number, salt?: Uint8Array, prefix?: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + (salt ? SEAL_SALT_BYTES + SEAL_NONCE_PREFIX_BYTES : 0));
  out[0] = flags;
  if (salt && prefix) {
    out.set(salt, 1);
    out.set(prefix, 1 + SEAL_SALT_BYTES);
  }
  return out;
}

/** Seals every frame of a transfer; `transferId` (the ticket) is bound into every tag. */
export async function* sealFrames(frames: Iterable<FlightFrame> | AsyncIterable<FlightFrame>, key: SealKey, transferId: Uint8Array, suite?: SealCrypto): AsyncGenerator<FlightFrame> {
  const sealer = await createSealer(key, transferId, suite);
  let first = true;
  let pending: FlightFrame | undefined;
  const emit = async (f: FlightFrame, final: boolean): Promise<FlightFrame> => {
    const flags = (final ? FLAG_FINAL : 0) | (first ? FLAG_HEADER : 0);
    const out = {
      dataHeader: await sealer.seal(f.dataHeader),
      dataBody: await sealer.seal(f.dataBody, final),
      appMetadata: first ? meta(flags, sealer.header.salt, sealer.header.noncePrefix) : meta(flags),
    };
    first = false;
    return out;
  };
  // One frame of look-ahead, so the last frame can be marked final.
  for await (const f of frames) {
    if (pending !== undefined) yield await emit(pending, false);
    pending = f;
  }
  if (pending === undefined) throw new DuetError('INVALID_ARGUMENT', 'A sealed stream needs at least one frame.', { reason: 'EMPTY_STREAM' });
  yield await emit(pending, true);
}

/** Opens a sealed stream frame by frame, in order. */
export class FrameOpener {
  private opener: Opener | undefined;
  constructor(
    private readonly key: SealKey,
    private readonly transferId: Uint8Array,
    private readonly suite?: SealCrypto,
  ) {}

  async open(frame: FlightFrame): Promise<FlightFrame> {
    const flags = frame.appMetadata[0];
    if (flags === undefined) throw new DuetError('DATA_LOSS', 'A sealed frame lacks its flags.', { reason: 'SEAL_AUTH_FAILED' });
    if (this.opener === undefined) {
      if ((flags & FLAG_HEADER) === 0 || frame.appMetadata.byteLength !== 1 + SEAL_SALT_BYTES + SEAL_NONCE_PREFIX_BYTES) {
        throw new DuetError('DATA_LOSS', 'The sealed stream does not start with its seal header.', { reason: 'SEAL_AUTH_FAILED' });
      }
      this.opener = await createOpener(this.key, this.transferId, {
        salt: frame.appMetadata.subarray(1, 1 + SEAL_SALT_BYTES),
        noncePrefix: frame.appMetadata.subarray(1 + SEAL_SALT_BYTES),
      }, this.suite);
    }
    const final = (flags & FLAG_FINAL) !== 0;
    return {
      dataHeader: await this.opener.open(frame.dataHeader),
      dataBody: await this.opener.open(frame.dataBody, final),
      appMetadata: new Uint8Array(0),
    };
  }

  finish(): void {
    if (this.opener === undefined) throw new DuetError('DATA_LOSS', 'The sealed stream ended before its first frame.', { reason: 'TRUNCATED' });
    this.opener.finish();
  }
}
