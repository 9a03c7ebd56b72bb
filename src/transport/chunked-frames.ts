import { DuetError } from '../errors';
import { HIGH_WATER_BYTES } from './constants';
import type { PeerTransport } from './peer-transport';

// Frames of any size over a message transport with a per-message limit (a DataChannel):
// the first message of a frame starts with its length (u32, little-endian), the rest of the
// frame follows in messages of at most the transport's limit. The channel is ordered, so
// no other framing is needed, as long as one frame goes out at a time: a sender that awaits
// backpressure between messages must not let another frame in (FrameQueue). Used by the
// arrow-rtc path for FlightData messages.

const LENGTH_BYTES = 4;
/** A frame is one Arrow batch plus its header; batches are at most a few MiB. */
export const MAX_CHUNKED_FRAME_BYTES = 64 * 1024 * 1024;

/** Sends one frame made of `parts` (no concatenation), waiting on backpressure. */
export async function sendFrame(transport: PeerTransport, parts: readonly Uint8Array[], signal?: AbortSignal): Promise<void> {
  let total = 0;
  for (const p of parts) total += p.byteLength;
  if (total > MAX_CHUNKED_FRAME_BYTES) {
    throw new DuetError('RESOURCE_EXHAUSTED', `A frame of ${total} bytes is over MAX_CHUNKED_FRAME_BYTES=${MAX_CHUNKED_FRAME_BYTES}.`, {
      reason: 'LIMIT_EXCEEDED',
      details: { limit: 'MAX_CHUNKED_FRAME_BYTES', max: MAX_CHUNKED_FRAME_BYTES, actual: total },
    });
  }
  const max = transport.maxMessageBytes;
  let message = new Uint8Array(Math.min(max, LENGTH_BYTES + total));
  new DataView(message.buffer).setUint32(0, total, true);
  let filled = LENGTH_BYTES;
  let started = false;
  const flush = async () => {
    if (transport.bufferedAmount > HIGH_WATER_BYTES) await transport.drained();
    // Cancel only between frames: half a frame would corrupt every frame after it on the channel.
    if (!started && signal?.aborted) throw new DuetError('CANCELLED', 'The transfer was cancelled.');
    started = true;
    transport.send(message.subarray(0, filled));
  };
  let left = total;
  for (const part of parts) {
    let at = 0;
    while (at < part.byteLength) {
      const n = Math.min(part.byteLength - at, message.byteLength - filled);
      message.set(part.subarray(at, at + n), filled);
      filled += n;
      at += n;
      left -= n;
      if (filled === message.byteLength) {
        await flush();
        // A fresh buffer: the transport may still hold a reference to the one just sent.
        message = new Uint8Array(Math.min(max, left));
        filled = 0;
      }
    }
  }
  if (filled > 0 || total === 0) await flush();
}

/**
 * One transport's frames, sent one whole frame at a time. Concurrent transfers on a channel
 * (or one transfer's END racing another's batch) would otherwise interleave the messages of
 * two frames, which the receiver cannot take apart.
 */
export class FrameQueue {
  #tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly transport: PeerTransport) {}

  send(parts: readonly Uint8Array[], signal?: AbortSignal): Promise<void> {
    const next = this.#tail.then(() => sendFrame(this.transport, parts, signal));
    // A failed frame must not stop the ones queued behind it; each caller sees its own error.
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/** Reassembles frames from the messages of one ordered transport. */
export class FrameAssembler {
  #frame: Uint8Array | undefined;
  #filled = 0;

  constructor(
    private readonly onFrame: (frame: Uint8Array) => void,
    private readonly maxFrameBytes = MAX_CHUNKED_FRAME_BYTES,
  ) {}

  push(message: Uint8Array): void {
    let data = message;
    if (!this.#frame) {
      if (data.byteLength < LENGTH_BYTES) throw new DuetError('DATA_LOSS', 'A bulk frame began with a truncated length.', { reason: 'PROTOCOL_VIOLATION' });
      const length = new DataView(data.buffer, data.byteOffset, LENGTH_BYTES).getUint32(0, true);
      if (length > this.maxFrameBytes) {
        throw new DuetError('RESOURCE_EXHAUSTED', `A bulk frame announced ${length} bytes, over the ${this.maxFrameBytes}-byte limit.`, {
          reason: 'LIMIT_EXCEEDED',
          details: { limit: 'MAX_CHUNKED_FRAME_BYTES', max: this.maxFrameBytes, actual: length },
        });
      }
      data = data.subarray(LENGTH_BYTES);
      // A frame that fits its first message is delivered as a view, without a copy.
      if (data.byteLength === length) return this.onFrame(data);
      this.#frame = new Uint8Array(length);
      this.#filled = 0;
    }
    const frame = this.#frame;
    if (this.#filled + data.byteLength > frame.byteLength) {
      throw new DuetError('DATA_LOSS', 'A bulk frame ran past its announced length.', { reason: 'PROTOCOL_VIOLATION' });
    }
    frame.set(data, this.#filled);
    this.#filled += data.byteLength;
    if (this.#filled === frame.byteLength) {
      this.#frame = undefined;
      this.onFrame(frame);
    }
  }
}
