import { MessageHeader, makeData, RecordBatch, Struct, type Schema } from 'apache-arrow';
import { Message, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorAssembler } from 'apache-arrow/visitor/vectorassembler';
import { DuetError } from '../errors';
import { bytesPerElement, type DType } from '../tensor';
import { arrowTypeOf } from './arrow-types';
import { BATCH_META, MAX_HEADER_BYTES } from './constants';

// Flight framing, as standard Flight does it: each IPC message becomes one FlightData whose
// `data_header` is the flatbuffer Message (no continuation marker, no length prefix) and whose
// `data_body` is the message body. We use arrow-js's own Message encoder and VectorAssembler
// (the pieces its RecordBatchWriter uses) so header and body come out separately, and the body
// stays a view of the tensor instead of being copied into an IPC stream first.

/** FlightData without the descriptor: what the Arrow layer produces and consumes. */
export interface FlightFrame {
  dataHeader: Uint8Array;
  dataBody: Uint8Array;
  appMetadata: Uint8Array;
}

const EMPTY = new Uint8Array(0);

function malformed(message: string, cause?: unknown): DuetError {
  return new DuetError('INVALID_ARGUMENT', `Malformed FlightData: ${message}`, { reason: 'MALFORMED_FLIGHT_DATA', cause });
}

export function schemaFrame(schema: Schema): FlightFrame {
  return { dataHeader: Message.encode(Message.from(schema)), dataBody: EMPTY, appMetadata: EMPTY };
}

export function batchFrame(batch: RecordBatch): FlightFrame {
  const { byteLength, nodes, bufferRegions, buffers } = VectorAssembler.assemble(batch);
  const header = new RecordBatchHeader(batch.numRows, nodes, bufferRegions, null, [], batch.metadata);
  const dataHeader = Message.encode(Message.from(header, byteLength));
  return { dataHeader, dataBody: bodyOf(byteLength, bufferRegions, buffers), appMetadata: EMPTY };
}

// Zero-copy when the body is one buffer that needs no padding (every batch but possibly the
// last, since batches are multiples of 8 bytes). Otherwise one copy, to lay the buffers out at
// their 8-byte-padded offsets as the IPC format requires.
function bodyOf(byteLength: number, regions: ReadonlyArray<{ offset: number; length: number }>, buffers: readonly ArrayBufferView[]): Uint8Array {
  const nonEmpty = buffers.filter((b) => b.byteLength > 0);
  const only = nonEmpty[0];
  if (nonEmpty.length === 1 && only !== undefined && only.byteLength === byteLength) {
    return new Uint8Array(only.buffer, only.byteOffset, only.byteLength);
  }
  const body = new Uint8Array(byteLength);
  buffers.forEach((b, i) => {
    const r = regions[i];
    if (r !== undefined && b.byteLength > 0) body.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), r.offset);
  });
  return body;
}

/** Parses a data_header; any flatbuffer error becomes a typed INVALID_ARGUMENT. */
export function decodeHeader(dataHeader: Uint8Array): Message {
  if (dataHeader.byteLength === 0) throw malformed('empty data_header.');
  if (dataHeader.byteLength > MAX_HEADER_BYTES) throw malformed(`data_header is ${dataHeader.byteLength} bytes, over MAX_HEADER_BYTES=${MAX_HEADER_BYTES}.`);
  try {
    const message = Message.decode(dataHeader);
    // Touch the header now so a corrupt flatbuffer fails here, not later in some getter.
    message.header();
    return message;
  } catch (e) {
    throw malformed('data_header is not an Arrow IPC Message.', e);
  }
}

export function decodeSchema(message: Message): Schema {
  if (message.headerType !== MessageHeader.Schema) throw malformed(`expected a Schema message first, got header type ${message.headerType}.`);
  try {
    return message.header() as Schema;
  } catch (e) {
    throw malformed('bad Schema message.', e);
  }
}

export interface BatchSlice {
  index: number;
  /** Byte offset of this batch in the tensor. */
  offset: number;
  rows: number;
  /** The values, a view into data_body (not copied, maybe unaligned). */
  bytes: Uint8Array;
  /** The tensor's hash, when this (last) batch carries it. */
  hash: string | undefined;
}

function intMeta(meta: ReadonlyMap<string, string>, key: string): number {
  const raw = meta.get(key);
  const n = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw malformed(`batch metadata "${key}" is missing or not an integer.`);
  return n;
}

/** Checks a RecordBatch message against the tensor's dtype and returns its values as a view. */
export function decodeBatch(message: Message, body: Uint8Array, dtype: DType): BatchSlice {
  if (message.headerType !== MessageHeader.RecordBatch) throw malformed(`expected a RecordBatch message, got header type ${message.headerType}.`);
  const header = message.header() as RecordBatchHeader;
  if (message.compression != null || header.compression != null) throw malformed('compressed IPC bodies are not used by Duet.');
  if (body.byteLength !== message.bodyLength) throw malformed(`data_body is ${body.byteLength} bytes but the header says ${message.bodyLength}.`);
  const node = header.nodes[0];
  const data = header.buffers[1];
  if (header.nodes.length !== 1 || node === undefined || header.buffers.length !== 2 || data === undefined) {
    throw malformed('expected one column of a fixed-width type.');
  }
  if (node.nullCount !== 0) throw malformed('a tensor column must not hold nulls.');
  const rows = header.length;
  if (node.length !== rows) throw malformed('column length differs from the batch length.');
  const byteLength = rows * bytesPerElement(dtype);
  if (data.length < byteLength || data.offset + byteLength > body.byteLength) {
    throw malformed(`values buffer [${data.offset}, +${data.length}) does not hold ${rows} ${dtype} values within a ${body.byteLength}-byte body.`);
  }
  return {
    index: intMeta(message.metadata, BATCH_META.index),
    offset: intMeta(message.metadata, BATCH_META.offset),
    rows,
    bytes: body.subarray(data.offset, data.offset + byteLength),
    hash: message.metadata.get(BATCH_META.hash),
  };
}

/**
 * An Arrow RecordBatch over a decoded slice. A view when the bytes are aligned for the dtype;
 * copied only when data_body's byteOffset is misaligned, because typed arrays need alignment
 * (the protobuf field starts wherever the header before it ends).
 */
export function recordBatchOf(schema: Schema, dtype: DType, slice: BatchSlice): RecordBatch {
  const width = bytesPerElement(dtype);
  const src = slice.bytes.byteOffset % width === 0 ? slice.bytes : new Uint8Array(slice.bytes); // not .slice(): a view on Buffers
  const type = arrowTypeOf(dtype);
  const values = new (type.ArrayType as new (b: ArrayBufferLike, o: number, n: number) => ArrayBufferView)(src.buffer, src.byteOffset, slice.rows);
  const child = makeData({ type, length: slice.rows, nullCount: 0, data: values } as Parameters<typeof makeData>[0]);
  const struct = makeData({ type: new Struct(schema.fields), length: slice.rows, nullCount: 0, children: [child] });
  return new RecordBatch(schema, struct);
}
