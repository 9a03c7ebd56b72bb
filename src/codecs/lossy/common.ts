import { bytesPerElement, type DType } from '../../tensor';
import { checkEncodeInput, checkWholeElements } from '../caps';
import type { EncodeInput } from '../codec';
import type { CodecLimits, CodecLimitSettings } from '../constants';
import { addInto, assertFloat, isFloatDType, workArray, type FloatArray, type FloatDType } from './floats';
import type { ResidualStore } from './residuals';

export interface LossyOptions extends CodecLimitSettings {
  /** Share of elements kept (sparsifiers), in (0, 1]; defaults to LOSSY_DEFAULT_RATIO. */
  ratio?: number;
  /** Named gradient streams kept for error feedback; defaults to ERROR_FEEDBACK_MAX_STREAMS. */
  maxStreams?: number;
}

export const acceptsFloat = (dtype: DType): boolean => isFloatDType(dtype);

export interface Accumulated {
  dtype: FloatDType;
  n: number;
  /** residual + gradient: the stream's own residual buffer, or a scratch copy without a stream. */
  acc: FloatArray;
}

/**
 * Validates the input and adds it to the stream's residual (or to a zeroed scratch array).
 * A gradient with NaN or infinities is refused, and the stream is reset, since a partly
 * added gradient would leave the residual wrong.
 */
export function accumulate(codecId: string, input: EncodeInput, limits: CodecLimits, store: ResidualStore): Accumulated {
  const dtype = assertFloat(codecId, input.dtype);
  checkEncodeInput(codecId, input.bytes, limits);
  checkWholeElements(codecId, input.bytes, bytesPerElement(dtype));
  const n = input.bytes.byteLength / bytesPerElement(dtype);
  const acc = input.stream === undefined ? workArray(dtype, n) : store.state(input.stream, dtype, n).residual;
  try {
    addInto(codecId, acc, dtype, input.bytes);
  } catch (e) {
    if (input.stream !== undefined) store.reset(input.stream);
    throw e;
  }
  return { dtype, n, acc };
}
