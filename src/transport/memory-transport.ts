import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { MAX_DATACHANNEL_MESSAGE_BYTES } from './constants';
import type { PeerTransport, PeerTransportEvents } from './peer-transport';

/**
 * Two connected in-memory transports for unit tests. Delivery is asynchronous and ordered,
 * like a DataChannel, and it enforces the same message size limit so tests are honest.
 */
export function memoryTransportPair(maxMessageBytes = MAX_DATACHANNEL_MESSAGE_BYTES): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport(maxMessageBytes);
  const b = new MemoryTransport(maxMessageBytes);
  a.other = b;
  b.other = a;
  return [a, b];
}

export class MemoryTransport extends Emitter<PeerTransportEvents> implements PeerTransport {
  other: MemoryTransport | undefined;
  open = true;
  /** Every message sent, for tests that inspect framing. */
  readonly sent: Uint8Array[] = [];
  /** Bytes a test pretends are stuck in the send buffer, to exercise backpressure. */
  congestion = 0;
  #inFlight = 0;
  #drainWaiters: (() => void)[] = [];

  constructor(readonly maxMessageBytes: number) {
    super();
  }

  send(data: Uint8Array): void {
    if (!this.open) throw new DuetError('UNAVAILABLE', 'The transport is closed.', { reason: 'PEER_CONNECTION_LOST' });
    if (data.byteLength > this.maxMessageBytes) {
      throw new DuetError('INVALID_ARGUMENT', `Message of ${data.byteLength} bytes exceeds the transport limit ${this.maxMessageBytes}.`);
    }
    const copy = data.slice(); // the sender may reuse its buffer, as with a real DataChannel
    this.sent.push(copy);
    this.#inFlight += copy.byteLength;
    queueMicrotask(() => {
      this.#inFlight -= copy.byteLength;
      if (this.other?.open) this.other.emit('message', copy);
      this.#wake();
    });
  }

  get bufferedAmount(): number {
    return this.#inFlight + this.congestion;
  }

  drained(): Promise<void> {
    if (this.bufferedAmount === 0 || !this.open) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Clears simulated congestion and wakes senders waiting in drained(). */
  relieve(): void {
    this.congestion = 0;
    this.#wake();
  }

  close(): void {
    this.#end(undefined);
    // Like a DataChannel, messages sent before close() still arrive before the far end closes.
    const other = this.other;
    queueMicrotask(() => {
      if (other) other.#end(new DuetError('UNAVAILABLE', 'The peer closed the connection.', { reason: 'PEER_CONNECTION_LOST' }));
    });
  }

  #wake(): void {
    if (this.bufferedAmount > 0 && this.open) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }

  /** Simulates the link dying under both peers (a peer that vanishes). */
  fail(error: DuetError): void {
    this.#end(error);
    if (this.other) this.other.#end(error);
  }

  #end(error: DuetError | undefined): void {
    if (!this.open) return;
    this.open = false;
    this.#wake();
    queueMicrotask(() => this.emit('close', error));
  }
}
