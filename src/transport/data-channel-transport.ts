import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { MAX_DATACHANNEL_MESSAGE_BYTES } from './constants';
import { DrainWatcher } from './drain';
import type { PeerTransport, PeerTransportEvents } from './peer-transport';

/**
 * A PeerTransport over a raw RTCDataChannel: the dedicated, pre-negotiated bulk channels
 * that carry Arrow batches next to the control channel (same connection, own SCTP stream).
 */
export class DataChannelTransport extends Emitter<PeerTransportEvents> implements PeerTransport {
  readonly maxMessageBytes = MAX_DATACHANNEL_MESSAGE_BYTES;
  #closed = false;
  readonly #drain: DrainWatcher;

  constructor(private readonly channel: RTCDataChannel) {
    super();
    channel.binaryType = 'arraybuffer';
    this.#drain = new DrainWatcher(() => channel, () => this.open);
    channel.onmessage = (ev: MessageEvent) => {
      const data = ev.data as ArrayBuffer | ArrayBufferView;
      this.emit('message', data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    };
    channel.onclose = () => this.#end(new DuetError('UNAVAILABLE', `The data channel "${channel.label}" closed.`, { reason: 'PEER_CONNECTION_LOST' }));
    channel.onerror = () => this.#end(new DuetError('UNAVAILABLE', `The data channel "${channel.label}" failed.`, { reason: 'PEER_CONNECTION_LOST' }));
  }

  get open(): boolean {
    return !this.#closed && this.channel.readyState === 'open';
  }

  get bufferedAmount(): number {
    return this.channel.bufferedAmount;
  }

  /** Resolves once the channel is open (negotiated channels open with the connection). */
  ready(): Promise<void> {
    if (this.channel.readyState === 'open') return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.channel.addEventListener('open', () => resolve(), { once: true });
      this.once('close', (e) => reject(e ?? new DuetError('UNAVAILABLE', 'The data channel closed before it opened.')));
    });
  }

  send(data: Uint8Array): void {
    if (!this.open) throw new DuetError('UNAVAILABLE', `The data channel "${this.channel.label}" is not open.`, { reason: 'PEER_CONNECTION_LOST' });
    this.channel.send(data as Uint8Array<ArrayBuffer>);
  }

  drained(): Promise<void> {
    return this.#drain.drained();
  }

  close(): void {
    this.#end(undefined);
  }

  #end(error: DuetError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#drain.wake();
    this.channel.onmessage = this.channel.onclose = this.channel.onerror = null;
    if (this.channel.readyState !== 'closed') this.channel.close();
    this.emit('close', error);
  }
}
