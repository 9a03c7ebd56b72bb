import type { DecodeOptions, FlightFrame } from '../../arrow';
import type { Tensor } from '../../tensor';
import type { SealCrypto, SealKey } from '../seal';

export interface TransferProgress {
  /** Tensor bytes so far (sent, or received and hashed). */
  bytes: number;
  totalBytes: number;
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Seal end to end (AES-GCM) under this key; required on paths that cross the hub. */
  sealKey?: SealKey;
}

export interface PutOptions extends TransferOptions {
  batchBytes?: number;
  /** The tensor's hash if already known, to skip hashing before the first byte. */
  hash?: string;
}

export interface GetOptions extends TransferOptions, DecodeOptions {}

export interface PutSummary {
  bytes: number;
  batches: number;
  hash: string;
}

/**
 * The small interface the app uses to move tensors over Flight. Implementations: grpc-js
 * (src/adapters/flight-client-node.ts) and the browser bridge (bridge-client.ts).
 */
export interface FlightClient extends FrameTransport {
  /** Runs the Flight Handshake with `payload` (the credential) and keeps the bearer token. */
  handshake(payload: Uint8Array): Promise<void>;
  /** A fresh single-use ticket bound to this client's session. */
  createTicket(): Promise<Uint8Array>;
  /** The hub's ticket lifetime in ms, once a createTicket answer declared it (TICKET_TTL_HEADER); undefined before, or if it never does. */
  readonly ticketTtlMs: number | undefined;
  putTensor(ticket: Uint8Array, t: Tensor, options?: PutOptions): Promise<PutSummary>;
  getTensor(ticket: Uint8Array, options?: GetOptions): Promise<Tensor>;
  close(): void;
}

/** The raw stream operations a FlightClient is built on; what differs between runtimes. */
export interface FrameTransport {
  /** Where this runtime seals (AES-GCM); WebCrypto when absent. */
  readonly sealCrypto?: SealCrypto;
  doPut(ticket: Uint8Array, frames: AsyncIterable<FlightFrame>, signal?: AbortSignal): Promise<void>;
  doGet(ticket: Uint8Array, signal?: AbortSignal): AsyncIterable<FlightFrame>;
}
