import type { DType } from '../tensor';

// The one interface every codec implements. It has no dependencies, so a transport or the
// negotiator can hold a Codec without pulling in wasm or native code.

export type CodecKind = 'lossless' | 'lossy';

export interface EncodeInput {
  readonly dtype: DType;
  /** The tensor's flat bytes; codecs never modify them. */
  readonly bytes: Uint8Array;
  /**
   * Lossy codecs only: names the gradient stream whose residual (what earlier steps did not
   * send) is added to this input, and which keeps what this step does not send.
   * Without a stream the codec is stateless, which is what the cost model wants.
   */
  readonly stream?: string;
}

export interface DecodeOptions {
  /** Hard cap on the decoded size, at most the codec's configured maxDecodedBytes. */
  readonly maxBytes?: number;
}

export interface Codec {
  /** Stable id, written into Arrow schema metadata: `[a-z][a-z0-9-]*`, at most 32 characters. */
  readonly id: string;
  readonly kind: CodecKind;
  /** Whether `encode` takes this dtype. */
  accepts(dtype: DType): boolean;
  /** The frame may share memory with the input (`none` returns it as is): treat both as read-only. */
  encode(input: EncodeInput): Promise<Uint8Array>;
  /**
   * Returns exactly `declaredSize(frame)` bytes or throws a DuetError; never writes past the
   * cap. The result may be a view of the frame (`none`, dense `sparse`).
   */
  decode(frame: Uint8Array, options?: DecodeOptions): Promise<Uint8Array>;
  /** The decoded size the frame declares, read from its header without decompressing. */
  declaredSize(frame: Uint8Array): number;
}

/** A gradient codec with error feedback: per-stream residual memory. */
export interface LossyCodec extends Codec {
  readonly kind: 'lossy';
  /** A copy of the residual kept for `stream`, as float64, or undefined if none. */
  residual(stream: string): Float64Array | undefined;
  /** Forgets one stream's residual, or all of them. */
  resetStream(stream?: string): void;
  /**
   * The frame length for a tensor of `dtype` and `byteLength`, without encoding it: what these
   * codecs send depends on the tensor's size, not its values. Exact for top-k, random-k and QSGD;
   * for DGC the length at its target count, which its sampled threshold lands near. Lets the
   * negotiator rank them without sampling the payload.
   */
  frameBytes(dtype: DType, byteLength: number): number;
}

export function isLossy(codec: Codec): codec is LossyCodec {
  return codec.kind === 'lossy';
}
