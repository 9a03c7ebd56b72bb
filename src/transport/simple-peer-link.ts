import type SimplePeer from 'simple-peer';
import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { HIGH_WATER_BYTES, LOW_WATER_BYTES, MAX_DATACHANNEL_MESSAGE_BYTES } from './constants';
import type { PeerTransport, PeerTransportEvents } from './peer-transport';

// simple-peer is unmaintained since 2022, so nothing outside this file touches it.
// The runtime injects the factory: the standalone bundle in browsers, the npm module
// with @roamhq/wrtc as `wrtc` in Node. The same code runs on both.

export type SignalData = SimplePeer.SignalData;

export interface PeerFactoryOptions {
  initiator: boolean;
  config: RTCConfiguration;
}
export type PeerFactory = (options: PeerFactoryOptions) => SimplePeer.Instance;

/** The private fields of simple-peer we rely on; checked at run time. */
interface SimplePeerInternals {
  _channel?: RTCDataChannel | null;
  _pc?: RTCPeerConnection | null;
  _iceCompleteTimer?: ReturnType<typeof setTimeout> | null;
}

interface LinkEvents extends PeerTransportEvents {
  signal: SignalData;
  connect: undefined;
}

export class SimplePeerLink extends Emitter<LinkEvents> implements PeerTransport {
  readonly maxMessageBytes = MAX_DATACHANNEL_MESSAGE_BYTES;
  #open = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(private readonly peer: SimplePeer.Instance) {
    super();
    peer.on('signal', (data: SignalData) => this.emit('signal', data));
    peer.on('connect', () => this.#onConnect());
    // Node's simple-peer yields Buffers; a plain view (no copy) keeps both runtimes alike.
    peer.on('data', (data: Uint8Array) => this.emit('message', new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    peer.on('error', (err: Error & { code?: string }) =>
      this.#end(new DuetError('UNAVAILABLE', `The peer-to-peer connection failed (${err.code ?? err.message}).`, { reason: 'PEER_CONNECTION_LOST', cause: err })),
    );
    peer.on('close', () => this.#end(new DuetError('UNAVAILABLE', 'The peer-to-peer connection closed.', { reason: 'PEER_CONNECTION_LOST' })));
  }

  get open(): boolean {
    return this.#open && !this.#closed;
  }

  get bufferedAmount(): number {
    return this.peer.bufferSize;
  }

  /** Feeds a signal from the other side (offer, answer or ICE candidate). */
  signal(data: SignalData): void {
    if (!this.#closed) this.peer.signal(data);
  }

  send(data: Uint8Array): void {
    if (!this.open) throw new DuetError('UNAVAILABLE', 'The peer-to-peer connection is not open.', { reason: 'PEER_CONNECTION_LOST' });
    this.peer.send(data);
  }

  drained(): Promise<void> {
    if (this.bufferedAmount <= LOW_WATER_BYTES || !this.open) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** True when a send of `bytes` should wait for `drained()` first. */
  shouldWait(bytes: number): boolean {
    return this.bufferedAmount + bytes > HIGH_WATER_BYTES;
  }

  /** The underlying RTCPeerConnection, for extra pre-negotiated DataChannels. */
  get connection(): RTCPeerConnection | undefined {
    return (this.peer as unknown as SimplePeerInternals)._pc ?? undefined;
  }

  close(): void {
    this.#end(undefined);
  }

  #onConnect(): void {
    const channel = (this.peer as unknown as SimplePeerInternals)._channel;
    if (channel && typeof channel.bufferedAmountLowThreshold === 'number') {
      channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
      const previous = channel.onbufferedamountlow;
      channel.onbufferedamountlow = (ev: Event) => {
        previous?.call(channel, ev);
        this.#wake();
      };
    } else {
      // No low-water event in this runtime: fall back to polling while someone waits.
      const timer = setInterval(() => {
        if (this.#closed) clearInterval(timer);
        else if (this.bufferedAmount <= LOW_WATER_BYTES) this.#wake();
      }, 10);
    }
    this.#open = true;
    this.emit('connect', undefined);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #end(error: DuetError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    this.peer.destroy();
    // simple-peer's destroy() forgets its 5 s ICE timer, which keeps Node processes alive.
    clearTimeout((this.peer as unknown as SimplePeerInternals)._iceCompleteTimer ?? undefined);
    this.emit('close', error);
  }
}
