import type SimplePeer from 'simple-peer';
import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { MAX_DATACHANNEL_MESSAGE_BYTES } from './constants';
import { DataChannelTransport } from './data-channel-transport';
import { DrainWatcher } from './drain';
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
  #drain: DrainWatcher | undefined;

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
    return this.#drain?.drained() ?? Promise.resolve();
  }

  /**
   * Opens a dedicated DataChannel on the same connection. Both sides call this with the same
   * id: pre-negotiated channels need no extra signalling, so no renegotiation round trip.
   */
  openDataChannel(label: string, id: number): DataChannelTransport {
    const pc = (this.peer as unknown as SimplePeerInternals)._pc;
    if (!pc || !this.open) throw new DuetError('UNAVAILABLE', 'The peer-to-peer connection is not open.', { reason: 'PEER_CONNECTION_LOST' });
    return new DataChannelTransport(pc.createDataChannel(label, { negotiated: true, id, ordered: true }));
  }

  close(): void {
    this.#end(undefined);
  }

  #onConnect(): void {
    this.#drain = new DrainWatcher(() => (this.peer as unknown as SimplePeerInternals)._channel, () => this.open);
    this.#open = true;
    this.emit('connect', undefined);
  }

  #end(error: DuetError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#drain?.wake();
    this.peer.destroy();
    // simple-peer's destroy() forgets its 5 s ICE timer, which keeps Node processes alive.
    clearTimeout((this.peer as unknown as SimplePeerInternals)._iceCompleteTimer ?? undefined);
    this.emit('close', error);
  }
}
