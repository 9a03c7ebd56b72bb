import type { Tensor } from '../../tensor';

export const PATH_NAMES = ['webrtc', 'arrow-rtc', 'arrow-flight'] as const;
export type PathName = (typeof PATH_NAMES)[number];

export interface TransferProgress {
  bytes: number;
  totalBytes: number;
}

export interface TransferContext {
  transferId: string;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Record batch size, for senders that batch (arrow-flight); default: the path's own. */
  batchBytes?: number;
}

export interface SendResult {
  /** Tensor bytes sent. */
  bytes: number;
  hash: string;
}

/** What the owner announces in TransferStart and the scientist's half receives. */
export interface TransferInfo {
  dtype: string;
  shape: readonly number[];
  byteLength: number;
  /** The Flight ticket, on the arrow-flight path. */
  ticket?: Uint8Array;
}

/** The owner's half of a path: streams one tensor to the peer. */
export interface TensorSender {
  readonly path: PathName;
  /** Runs before TransferStart: e.g. the Flight path gets its ticket here, to announce it. */
  prepare?(ctx: TransferContext): Promise<{ ticket?: Uint8Array }>;
  send(tensor: Tensor, ctx: TransferContext & { ticket?: Uint8Array }): Promise<SendResult>;
}

/** The scientist's half: rebuilds the tensor announced by TransferStart and checks its hash. */
export interface TensorReceiver {
  readonly path: PathName;
  receive(info: TransferInfo, ctx: TransferContext): Promise<Tensor>;
}
