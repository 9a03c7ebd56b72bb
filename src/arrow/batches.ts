import { Field, makeData, RecordBatch, Schema, Struct, type DataType } from 'apache-arrow';
import { DuetError } from '../errors';
import { configuredLimit } from '../limits';
import { ARRAY_OF, bytesPerElement, tensor, type DType, type Tensor, type TensorData } from '../tensor';
import { arrowTypeMatches, arrowTypeOf } from './arrow-types';
import { BATCH_META, COLUMN_NAME, DEFAULT_BATCH_BYTES, MAX_BATCH_BYTES, MIN_BATCH_BYTES } from './constants';
import { contextToMetadata, type TensorContext } from './metadata';

export interface ArrowTensor {
  schema: Schema;
  batches: RecordBatch[];
}

/** Validated batch size in bytes, rounded down to a multiple of 8 so every batch starts aligned for any dtype. */
export function batchBytesOf(batchBytes: number | undefined): number {
  const n = configuredLimit('batchBytes', batchBytes, DEFAULT_BATCH_BYTES, { min: MIN_BATCH_BYTES, max: MAX_BATCH_BYTES });
  return n - (n % 8);
}

export function tensorSchema(ctx: TensorContext): Schema {
  const field = new Field(COLUMN_NAME, arrowTypeOf(ctx.dtype), false);
  return new Schema([field], contextToMetadata(ctx));
}

/** The [start, end) element ranges of each batch. */
export function batchRanges(length: number, dtype: DType, batchBytes: number): Array<[number, number]> {
  const perBatch = Math.max(1, Math.floor(batchBytes / bytesPerElement(dtype)));
  const out: Array<[number, number]> = [];
  for (let start = 0; start < length; start += perBatch) out.push([start, Math.min(length, start + perBatch)]);
  return out;
}

/** One record batch over `values` (a view: Arrow's values buffer is the tensor's own memory). */
export function tensorBatch(schema: Schema, dtype: DType, values: TensorData, index: number, byteOffset: number, hash?: string): RecordBatch {
  const type: DataType = arrowTypeOf(dtype);
  const child = makeData({ type, length: values.length, nullCount: 0, data: values } as Parameters<typeof makeData>[0]);
  const struct = makeData({ type: new Struct(schema.fields), length: values.length, nullCount: 0, children: [child] });
  const metadata = new Map<string, string>([
    [BATCH_META.index, String(index)],
    [BATCH_META.offset, String(byteOffset)],
  ]);
  if (hash !== undefined) metadata.set(BATCH_META.hash, hash);
  return new RecordBatch(schema, struct, metadata);
}

/** Splits a tensor into Arrow record batches without copying its data. `ctx` comes from tensorContext(). */
export function tensorToArrow(t: Tensor, ctx: TensorContext): ArrowTensor {
  const schema = tensorSchema(ctx);
  const width = bytesPerElement(t.dtype);
  const batches = batchRanges(t.data.length, t.dtype, ctx.batchBytes).map(([s, e], i) =>
    tensorBatch(schema, t.dtype, t.data.subarray(s, e) as TensorData, i, s * width),
  );
  return { schema, batches };
}

function columnValues(batch: RecordBatch, dtype: DType): TensorData {
  const child = batch.data.children[0];
  if (batch.data.children.length !== 1 || child === undefined || !arrowTypeMatches(dtype, child.type)) {
    throw new DuetError('INVALID_ARGUMENT', `Expected one ${String(arrowTypeOf(dtype))} column for a ${dtype} tensor.`, { reason: 'BAD_DTYPE' });
  }
  if (child.nullCount > 0) throw new DuetError('INVALID_ARGUMENT', 'A tensor column must not hold nulls.', { reason: 'BAD_BATCH' });
  const values = child.values as TensorData;
  return values.subarray(child.offset, child.offset + child.length) as TensorData;
}

/**
 * Rebuilds the tensor. One batch gives a view of Arrow's buffer (zero-copy; Arrow's readers
 * already align values buffers); several batches are copied once into one contiguous array,
 * because a tensor is one flat typed array.
 */
export function tensorFromArrow<D extends DType>(dtype: D, shape: readonly number[], batches: readonly RecordBatch[]): Tensor<D> {
  const parts = batches.map((b) => columnValues(b, dtype));
  if (parts.length === 1) return tensor(dtype, shape, parts[0] as Tensor<D>['data']);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new ARRAY_OF[dtype](total);
  let at = 0;
  for (const p of parts) {
    (out as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(p, at);
    at += p.length;
  }
  return tensor(dtype, shape, out);
}
