import type { DuetError } from '../errors';

export interface PeerTransportEvents {
  message: Uint8Array;
  /** Fired once. `undefined` means a deliberate close by this side. */
  close: DuetError | undefined;
}

/**
 * One ordered, reliable, message-oriented pipe to a peer: a WebRTC DataChannel in the
 * product, an in-memory pair in unit tests. Messages are at most `maxMessageBytes`.
 */
export interface PeerTransport {
  on<K extends keyof PeerTransportEvents>(event: K, listener: (value: PeerTransportEvents[K]) => void): () => void;
  readonly maxMessageBytes: number;
  /** Bytes queued but not yet on the wire. */
  readonly bufferedAmount: number;
  readonly open: boolean;
  send(data: Uint8Array): void;
  /** Resolves once `bufferedAmount` has fallen to the transport's low-water mark. */
  drained(): Promise<void>;
  close(): void;
}
