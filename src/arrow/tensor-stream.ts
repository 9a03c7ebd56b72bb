import { DuetError } from '../errors';
import { configuredLimit } from '../limits';
import {
  bytesPerElement,
  createHasher,
  HASH_ALGORITHM,
  hashBytes,
  tensorBytes,
  tensorFromBytes,
  type DType,
  type Hasher,
  type Tensor,
  type TensorData,
} from '../tensor';
import { arrowTypeMatches } from './arrow-types';
import { batchBytesOf, batchRanges, tensorBatch, tensorSchema, tensorToArrow } from './batches';
import { CODEC_NONE, DEFAULT_MAX_TENSOR_BYTES, MAX_TENSOR_BYTES_RANGE } from './constants';
import { batchFrame, decodeBatch, decodeHeader, decodeSchema, schemaFrame, type FlightFrame } from './flight-data';
import { contextFromMetadata, isHash, type TensorContext } from './metadata';

export interface EncodeOptions {
  batchBytes?: number;
  /** A hash computed earlier (e.g. when the tensor was stored); computed here when absent. */
  hash?: string;
}

export async function tensorContext(t: Tensor, options: EncodeOptions = {}): Promise<TensorContext> {
  const bytes = tensorBytes(t);
  return {
    dtype: t.dtype,
    shape: t.shape,
    byteOrder: 'little',
    codec: CODEC_NONE,
    hashAlgorithm: HASH_ALGORITHM,
    hash: options.hash ?? (await hashBytes(bytes)),
    totalBytes: bytes.byteLength,
    batchBytes: batchBytesOf(options.batchBytes),
  };
}

/**
 * The frames of a tensor, made one at a time as the consumer pulls them. Without a known hash,
 * it hashes each batch as it goes and puts the digest in the last batch's metadata, so hashing
 * overlaps sending instead of delaying the first byte. An empty tensor's hash goes in the schema.
 */
export async function* encodeTensorStream(t: Tensor, options: EncodeOptions = {}, onHash?: (hash: string) => void): AsyncGenerator<FlightFrame> {
  const bytes = tensorBytes(t);
  const upFront = options.hash ?? (bytes.byteLength === 0 ? await hashBytes(bytes) : '');
  const context: TensorContext = { ...(await tensorContext(t, { ...options, hash: upFront || 'pending' })), hash: upFront };
  const schema = tensorSchema(context);
  yield schemaFrame(schema);
  const hasher = upFront === '' ? await createHasher() : undefined;
  const width = bytesPerElement(t.dtype);
  const ranges = batchRanges(t.data.length, t.dtype, context.batchBytes);
  for (let i = 0; i < ranges.length; i++) {
    const [s, e] = ranges[i]!;
    const values = t.data.subarray(s, e) as TensorData;
    hasher?.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    const last = i === ranges.length - 1;
    const digest = last && hasher !== undefined ? hasher.digest() : undefined;
    if (digest !== undefined) onHash?.(digest);
    yield batchFrame(tensorBatch(schema, t.dtype, values, i, s * width, digest));
  }
  if (hasher === undefined) onHash?.(upFront);
}

/** The FlightData frames of a tensor: its schema, then one frame per record batch. Views, not copies. */
export async function encodeTensor(t: Tensor, options: EncodeOptions = {}): Promise<{ context: TensorContext; frames: FlightFrame[] }> {
  const context = await tensorContext(t, options);
  const { schema, batches } = tensorToArrow(t, context);
  return { context, frames: [schemaFrame(schema), ...batches.map(batchFrame)] };
}

export interface DecodeOptions {
  /** Largest tensor accepted, checked against the schema before anything is allocated. */
  maxTensorBytes?: number;
  /** What the caller asked for; a stream describing anything else is refused. */
  expect?: { dtype?: DType; shape?: readonly number[] };
}

export interface DecodeProgress {
  receivedBytes: number;
  totalBytes: number;
}

/**
 * Rebuilds a tensor from FlightData frames as they arrive, hashing as it goes. A stream either
 * ends in a tensor whose hash matched, or in a DuetError that names what was wrong.
 */
export class TensorDecoder {
  private ctx: TensorContext | undefined;
  private out: Uint8Array | undefined;
  private single: Uint8Array | undefined;
  private nextIndex = 0;
  private trailingHash: string | undefined;
  private received = 0;
  private readonly maxTensorBytes: number;

  private constructor(
    private readonly hasher: Hasher,
    private readonly options: DecodeOptions,
  ) {
    this.maxTensorBytes = configuredLimit('maxTensorBytes', options.maxTensorBytes, DEFAULT_MAX_TENSOR_BYTES, MAX_TENSOR_BYTES_RANGE);
  }

  static async create(options: DecodeOptions = {}): Promise<TensorDecoder> {
    return new TensorDecoder(await createHasher(), options);
  }

  get context(): TensorContext | undefined {
    return this.ctx;
  }

  get progress(): DecodeProgress {
    return { receivedBytes: this.received, totalBytes: this.ctx?.totalBytes ?? 0 };
  }

  push(frame: FlightFrame): void {
    const message = decodeHeader(frame.dataHeader);
    if (this.ctx === undefined) {
      this.ctx = this.readSchema(message);
      return;
    }
    const ctx = this.ctx;
    const slice = decodeBatch(message, frame.dataBody, ctx.dtype);
    if (slice.index !== this.nextIndex) {
      throw new DuetError('DATA_LOSS', `Record batch ${slice.index} arrived where batch ${this.nextIndex} was expected.`, { reason: 'OUT_OF_ORDER' });
    }
    if (slice.offset !== this.received || this.received + slice.bytes.byteLength > ctx.totalBytes) {
      throw new DuetError('DATA_LOSS', `Record batch ${slice.index} covers bytes [${slice.offset}, +${slice.bytes.byteLength}) but ${this.received} of ${ctx.totalBytes} were expected next.`, {
        reason: 'OUT_OF_ORDER',
      });
    }
    if (slice.hash !== undefined) {
      if (!isHash(slice.hash) || this.received + slice.bytes.byteLength !== ctx.totalBytes) {
        throw new DuetError('INVALID_ARGUMENT', 'Malformed FlightData: only the last record batch may carry the hash, as 32 hex digits.', { reason: 'MALFORMED_FLIGHT_DATA' });
      }
      this.trailingHash = slice.hash;
    }
    this.hasher.update(slice.bytes);
    if (slice.offset === 0 && slice.bytes.byteLength === ctx.totalBytes) {
      // The whole tensor in one batch: keep the view; tensorFromBytes copies only if misaligned.
      this.single = slice.bytes;
    } else {
      this.out ??= new Uint8Array(ctx.totalBytes);
      this.out.set(slice.bytes, slice.offset);
    }
    this.received += slice.bytes.byteLength;
    this.nextIndex++;
  }

  /** Call at the end of the stream. */
  finish(): Tensor {
    const ctx = this.ctx;
    if (ctx === undefined) throw new DuetError('DATA_LOSS', 'The stream ended before its schema.', { reason: 'TRUNCATED' });
    if (this.received !== ctx.totalBytes) {
      throw new DuetError('DATA_LOSS', `The stream ended after ${this.received} of ${ctx.totalBytes} bytes.`, { reason: 'TRUNCATED' });
    }
    const expected = [ctx.hash, this.trailingHash].filter((h): h is string => h !== undefined && h !== '');
    if (expected.length === 0) throw new DuetError('DATA_LOSS', 'The stream carried no content hash to verify.', { reason: 'MISSING_HASH' });
    const digest = this.hasher.digest();
    for (const h of expected) {
      if (digest !== h) {
        throw new DuetError('DATA_LOSS', `The tensor's ${ctx.hashAlgorithm} hash is ${digest}, but the sender's is ${h}.`, { reason: 'HASH_MISMATCH' });
      }
    }
    return tensorFromBytes(ctx.dtype, ctx.shape, this.single ?? this.out ?? new Uint8Array(0));
  }

  private readSchema(message: ReturnType<typeof decodeHeader>): TensorContext {
    const schema = decodeSchema(message);
    const ctx = contextFromMetadata(schema.metadata, this.maxTensorBytes, 'maxTensorBytes');
    const field = schema.fields[0];
    if (schema.fields.length !== 1 || field === undefined || !arrowTypeMatches(ctx.dtype, field.type)) {
      throw new DuetError('INVALID_ARGUMENT', `The schema's column is ${String(field?.type)}, which is not how a ${ctx.dtype} tensor travels.`, { reason: 'BAD_DTYPE' });
    }
    if (ctx.codec !== CODEC_NONE) {
      throw new DuetError('UNIMPLEMENTED', `Codec "${ctx.codec}" is not available to this reader.`, { reason: 'CODEC_UNAVAILABLE' });
    }
    const { expect } = this.options;
    if (expect?.dtype !== undefined && expect.dtype !== ctx.dtype) {
      throw new DuetError('INVALID_ARGUMENT', `Asked for a ${expect.dtype} tensor but the stream holds ${ctx.dtype}.`, { reason: 'BAD_DTYPE' });
    }
    if (expect?.shape !== undefined && expect.shape.join(',') !== ctx.shape.join(',')) {
      throw new DuetError('INVALID_ARGUMENT', `Asked for shape [${expect.shape.join(', ')}] but the stream holds [${ctx.shape.join(', ')}].`, { reason: 'BAD_SHAPE' });
    }
    return ctx;
  }
}

/** Decodes a complete list of frames (tests, and callers that already hold the whole stream). */
export async function decodeTensor(frames: Iterable<FlightFrame>, options: DecodeOptions = {}): Promise<Tensor> {
  const decoder = await TensorDecoder.create(options);
  for (const f of frames) decoder.push(f);
  return decoder.finish();
}
