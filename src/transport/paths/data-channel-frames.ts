import type { FlightFrame } from '../../arrow';
import { DuetError } from '../../errors';
import { FrameAssembler, FrameQueue } from '../chunked-frames';
import { decodeFlightData, encodeFlightData, frameOf, ticketOfDescriptor } from '../flight/flight-data-codec';
import type { FrameTransport } from '../flight/types';
import type { PeerTransport } from '../peer-transport';

// Arrow Flight's frames (FlightData) over a dedicated DataChannel, peer to peer: the same
// FrameTransport the Flight clients implement, so arrow-rtc shares encoding, hashing and
// progress with arrow-flight (putTensorOver / getTensorOver). Each FlightData names its
// transfer in the descriptor; app_metadata END or ABORT closes a transfer's stream.

const END = new TextEncoder().encode('duet:end');
const ABORT = new TextEncoder().encode('duet:abort');

/** Frames of a transfer the receiver has not asked for yet, kept at most this many bytes. */
export const MAX_UNCLAIMED_BYTES = 64 * 1024 * 1024;
/** ...and at most this long, after which they are dropped. */
export const UNCLAIMED_TTL_MS = 30_000;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

function key(ticket: Uint8Array): string {
  let s = '';
  for (const b of ticket) s += b.toString(16).padStart(2, '0');
  return s;
}

/** One transfer's incoming frames, as an async queue. */
class Inbox {
  readonly frames: FlightFrame[] = [];
  bytes = 0;
  ended = false;
  error: DuetError | undefined;
  claimed = false;
  readonly born = Date.now();
  #wake: (() => void) | undefined;

  push(frame: FlightFrame): void {
    this.frames.push(frame);
    this.bytes += frame.dataBody.byteLength + frame.dataHeader.byteLength;
    this.#wake?.();
  }

  end(error?: DuetError): void {
    this.ended = true;
    this.error ??= error;
    this.#wake?.();
  }

  async *drain(signal?: AbortSignal): AsyncGenerator<FlightFrame> {
    for (;;) {
      const next = this.frames.shift();
      if (next) {
        this.bytes -= next.dataBody.byteLength + next.dataHeader.byteLength;
        yield next;
        continue;
      }
      if (this.error) throw this.error;
      if (this.ended) return;
      if (signal?.aborted) throw new DuetError('CANCELLED', 'The transfer was cancelled.');
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      this.#wake = undefined;
    }
  }
}

export class DataChannelFrames implements FrameTransport {
  readonly #inboxes = new Map<string, Inbox>();
  readonly #out: FrameQueue;
  #closed: DuetError | undefined;

  constructor(private readonly transport: PeerTransport) {
    this.#out = new FrameQueue(transport);
    const assembler = new FrameAssembler((bytes) => this.#onFlightData(bytes));
    transport.on('message', (m) => {
      try {
        assembler.push(m);
      } catch (e) {
        this.#fail(DuetError.from(e, 'DATA_LOSS'));
        transport.close();
      }
    });
    transport.on('close', (e) => this.#fail(e ?? new DuetError('UNAVAILABLE', 'The data channel closed.', { reason: 'PEER_CONNECTION_LOST' })));
  }

  async doPut(ticket: Uint8Array, frames: AsyncIterable<FlightFrame>, signal?: AbortSignal): Promise<void> {
    try {
      for await (const frame of frames) {
        if (this.#closed) throw this.#closed;
        await this.#out.send([encodeFlightData(frame, ticket)], signal);
      }
      await this.#out.send([encodeFlightData({ dataHeader: new Uint8Array(), dataBody: new Uint8Array(), appMetadata: END }, ticket)]);
    } catch (e) {
      // Tell the receiver at once, so it fails now rather than when its deadline passes.
      if (this.transport.open) {
        const abort = encodeFlightData({ dataHeader: new Uint8Array(), dataBody: new Uint8Array(), appMetadata: ABORT }, ticket);
        await this.#out.send([abort]).catch(() => undefined);
      }
      throw DuetError.from(e);
    }
  }

  doGet(ticket: Uint8Array, signal?: AbortSignal): AsyncIterable<FlightFrame> {
    if (this.#closed) throw this.#closed;
    const inbox = this.#inbox(key(ticket));
    inbox.claimed = true;
    const inboxes = this.#inboxes;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* inbox.drain(signal);
        } finally {
          inboxes.delete(key(ticket));
        }
      },
    };
  }

  #inbox(k: string): Inbox {
    let inbox = this.#inboxes.get(k);
    if (!inbox) this.#inboxes.set(k, (inbox = new Inbox()));
    return inbox;
  }

  #onFlightData(bytes: Uint8Array): void {
    const data = decodeFlightData(bytes);
    const ticket = ticketOfDescriptor(data);
    if (!ticket) throw new DuetError('INVALID_ARGUMENT', 'A FlightData on the data channel names no transfer.', { reason: 'MALFORMED_FLIGHT_DATA' });
    const inbox = this.#inbox(key(ticket));
    if (sameBytes(data.appMetadata, END)) return inbox.end();
    if (sameBytes(data.appMetadata, ABORT)) return inbox.end(new DuetError('ABORTED', 'The sender stopped the transfer.', { reason: 'PRODUCER_GONE' }));
    if (!inbox.claimed) this.#bound(inbox);
    inbox.push(frameOf(data));
  }

  /** Unclaimed transfers (their TransferStart not seen yet) may hold only so much, so long. */
  #bound(inbox: Inbox): void {
    const now = Date.now();
    for (const [k, other] of this.#inboxes) if (!other.claimed && now - other.born > UNCLAIMED_TTL_MS) this.#inboxes.delete(k);
    if (inbox.bytes > MAX_UNCLAIMED_BYTES) {
      inbox.end(new DuetError('RESOURCE_EXHAUSTED', `More than MAX_UNCLAIMED_BYTES=${MAX_UNCLAIMED_BYTES} arrived for a transfer nobody expects.`, { reason: 'LIMIT_EXCEEDED' }));
    }
  }

  #fail(error: DuetError): void {
    this.#closed ??= error;
    for (const inbox of this.#inboxes.values()) inbox.end(error);
  }
}
