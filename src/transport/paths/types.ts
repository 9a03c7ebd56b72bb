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
}

export interface SendResult {
  /** Tensor bytes sent. */
  bytes: number;
  hash: string;
}

/** The owner's half of a path: streams one tensor to the peer. */
export interface TensorSender {
  readonly path: PathName;
  send(tensor: Tensor, ctx: TransferContext): Promise<SendResult>;
}

/** The scientist's half: rebuilds the tensor announced by TransferStart and checks its hash. */
export interface TensorReceiver {
  readonly path: PathName;
  receive(info: { dtype: string; shape: readonly number[]; byteLength: number }, ctx: TransferContext): Promise<Tensor>;
}
