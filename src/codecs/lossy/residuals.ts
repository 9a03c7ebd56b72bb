import { DuetError } from '../../errors';
import { configuredLimit, enforceLimit } from '../../limits';
import { ERROR_FEEDBACK_MAX_STREAMS, ERROR_FEEDBACK_MAX_STREAMS_RANGE } from '../constants';
import { workArray, type FloatArray, type FloatDType } from './floats';

// Error-feedback memory: for each named gradient stream, the part of past gradients that
// was not sent yet. The codec adds it to the next gradient before choosing what to send,
// and keeps the remainder, so over time everything is sent (Seide et al. 2014; Lin et al. 2018).

export interface StreamState {
  readonly dtype: FloatDType;
  /** The residual (DGC: the velocity v). */
  readonly residual: FloatArray;
  /** DGC's momentum u; absent for codecs without momentum. */
  readonly momentum?: FloatArray;
}

export class ResidualStore {
  private readonly streams = new Map<string, StreamState>();
  private readonly maxStreams: number;

  constructor(
    private readonly codecId: string,
    maxStreams?: number,
  ) {
    this.maxStreams = configuredLimit('maxStreams', maxStreams, ERROR_FEEDBACK_MAX_STREAMS, ERROR_FEEDBACK_MAX_STREAMS_RANGE);
  }

  /** The state of `stream`, created zeroed on first use; a changed length or dtype is FAILED_PRECONDITION. */
  state(stream: string, dtype: FloatDType, n: number, withMomentum = false): StreamState {
    const s = this.streams.get(stream);
    if (s !== undefined) {
      if (s.dtype !== dtype || s.residual.length !== n) {
        throw new DuetError(
          'FAILED_PRECONDITION',
          `Gradient stream "${stream}" of codec ${this.codecId} holds ${s.residual.length} ${s.dtype} values, but got ${n} ${dtype}; reset the stream first.`,
          { reason: 'STREAM_MISMATCH' },
        );
      }
      return s;
    }
    enforceLimit('maxStreams', this.streams.size + 1, this.maxStreams, `The number of gradient streams of codec ${this.codecId}`);
    const created: StreamState = withMomentum
      ? { dtype, residual: workArray(dtype, n), momentum: workArray(dtype, n) }
      : { dtype, residual: workArray(dtype, n) };
    this.streams.set(stream, created);
    return created;
  }

  get(stream: string): StreamState | undefined {
    return this.streams.get(stream);
  }

  /** A float64 copy of the stream's residual (what LossyCodec.residual returns). */
  residualCopy(stream: string): Float64Array | undefined {
    const s = this.streams.get(stream);
    return s && Float64Array.from(s.residual);
  }

  reset(stream?: string): void {
    if (stream === undefined) this.streams.clear();
    else this.streams.delete(stream);
  }

  get size(): number {
    return this.streams.size;
  }
}
