import { tableFromIPC, Float16, Uint8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  BATCH_META,
  DEFAULT_BATCH_BYTES,
  META,
  batchFrame,
  decodeBatch,
  decodeHeader,
  decodeSchema,
  decodeTensor,
  encodeTensor,
  encodeTensorStream,
  recordBatchOf,
  tensorContext,
  tensorFromArrow,
  tensorToArrow,
  schemaFrame,
  tensorSchema,
  type FlightFrame,
} from '../../src/arrow';
import { isDuetError, type DuetError } from '../../src/errors';
import { tensor } from '../../src/tensor';
import { ALL_DTYPES, SHAPES, sameTensor, sampleTensor } from '../helpers/tensors';
import { rejection } from '../helpers/errors';


/** Frames -> an Arrow IPC stream (continuation, length, padded header, body), as a file would hold it. */
function ipcStream(frames: readonly FlightFrame[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of frames) {
    const padded = (f.dataHeader.byteLength + 7) & ~7;
    const prefix = new Uint8Array(8 + padded);
    const view = new DataView(prefix.buffer);
    view.setInt32(0, -1, true);
    view.setInt32(4, padded, true);
    prefix.set(f.dataHeader, 8);
    parts.push(prefix, f.dataBody);
  }
  parts.push(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

describe('Arrow tensors', () => {
  it('FL1: every dtype and shape round-trips through frames exactly, in one batch and in many', async () => {
    for (const dtype of ALL_DTYPES) {
      for (const shape of SHAPES) {
        for (const batchBytes of [8, DEFAULT_BATCH_BYTES]) {
          const t = sampleTensor(dtype, shape);
          const { frames } = await encodeTensor(t, { batchBytes });
          const back = await decodeTensor(frames);
          expect(sameTensor(t, back), `${dtype} [${shape.join(',')}] batch ${batchBytes}`).toBe(true);
        }
      }
    }
  });

  it('FL1: the Arrow schema carries the context, and float16/bool use Float16/Uint8 columns', async () => {
    const t = sampleTensor('bool', [4, 3]);
    const ctx = await tensorContext(t);
    const schema = tensorSchema(ctx);
    expect(schema.fields[0]!.type).toBeInstanceOf(Uint8);
    expect(schema.metadata.get(META.dtype)).toBe('bool');
    expect(schema.metadata.get(META.shape)).toBe('[4,3]');
    expect(schema.metadata.get(META.totalBytes)).toBe('12');
    expect(schema.metadata.get(META.hash)).toBe(ctx.hash);
    const half = tensorSchema(await tensorContext(sampleTensor('float16', [2])));
    expect(half.fields[0]!.type).toBeInstanceOf(Float16);
  });

  it('FL1: writing is zero-copy: record batch values are views of the tensor', async () => {
    const t = sampleTensor('float64', [1000]);
    const ctx = await tensorContext(t, { batchBytes: 800 });
    const { batches } = tensorToArrow(t, ctx);
    expect(batches).toHaveLength(10);
    const values = batches[3]!.data.children[0]!.values as Float64Array;
    expect(values.buffer).toBe(t.data.buffer);
    expect(values.byteOffset).toBe(300 * 8);
    expect(batches[3]!.metadata.get(BATCH_META.index)).toBe('3');
    const frame = batchFrame(batches[3]!);
    expect(frame.dataBody.buffer).toBe(t.data.buffer);
    expect(tensorFromArrow('float64', [1000], batches).data).toEqual(t.data);
  });

  it('FL2: our frames are standard IPC messages: arrow-js reads them back as a stream with the metadata', async () => {
    const t = sampleTensor('int64', [5, 7]);
    const { frames, context } = await encodeTensor(t, { batchBytes: 64 });
    const table = tableFromIPC(ipcStream(frames));
    const batches = table.batches;
    expect(table.schema.metadata.get(META.hash)).toBe(context.hash);
    expect(batches).toHaveLength(5);
    expect(batches[1]!.metadata.get(BATCH_META.offset)).toBe('64');
    expect(sameTensor(tensorFromArrow('int64', [5, 7], batches), t)).toBe(true);
  });

  it('FL2: the reader copies only when data_body is misaligned', async () => {
    const t = sampleTensor('float64', [4]);
    const { frames } = await encodeTensor(t);
    const schema = tensorSchema((await tensorContext(t)));
    const frame = frames[1]!;
    const message = decodeHeader(frame.dataHeader);
    const aligned = recordBatchOf(schema, 'float64', decodeBatch(message, frame.dataBody, 'float64'));
    expect((aligned.data.children[0]!.values as Float64Array).buffer).toBe(t.data.buffer);
    const shifted = new Uint8Array(frame.dataBody.byteLength + 1);
    shifted.set(frame.dataBody, 1);
    const copy = recordBatchOf(schema, 'float64', decodeBatch(message, shifted.subarray(1), 'float64'));
    expect((copy.data.children[0]!.values as Float64Array).buffer).not.toBe(shifted.buffer);
    expect(Array.from(copy.data.children[0]!.values as Float64Array)).toEqual(Array.from(t.data as Float64Array));
    expect(sameTensor(await decodeTensor([frames[0]!, { ...frame, dataBody: shifted.subarray(1) }]), t)).toBe(true);
  });

  it('FL7: a corrupted batch fails with DATA_LOSS naming the hash', async () => {
    const t = sampleTensor('float32', [100]);
    const { frames } = await encodeTensor(t);
    const body = frames[1]!.dataBody.slice();
    body[17] = body[17]! ^ 0x40;
    const e = await rejection(decodeTensor([frames[0]!, { ...frames[1]!, dataBody: body }]));
    expect([e.code, e.reason]).toEqual(['DATA_LOSS', 'HASH_MISMATCH']);
  });

  it('FL7: the streaming encoder hashes as it sends and puts the hash in the last batch', async () => {
    for (const shape of [[0], [1], [33, 3]]) {
      const t = sampleTensor('int8', shape);
      let hash = '';
      const frames: FlightFrame[] = [];
      for await (const f of encodeTensorStream(t, { batchBytes: 16 }, (h) => (hash = h))) frames.push(f);
      expect(hash).toBe((await tensorContext(t)).hash);
      expect(sameTensor(await decodeTensor(frames), t)).toBe(true);
      if (frames.length > 2) {
        expect(decodeSchema(decodeHeader(frames[0]!.dataHeader)).metadata.has(META.hash)).toBe(false);
        expect(decodeHeader(frames.at(-1)!.dataHeader).metadata.get(BATCH_META.hash)).toBe(hash);
        const body = frames[1]!.dataBody.slice();
        body[0] = body[0]! ^ 1;
        const e = await rejection(decodeTensor([frames[0]!, { ...frames[1]!, dataBody: body }, ...frames.slice(2)]));
        expect(e.reason).toBe('HASH_MISMATCH');
        // A hash on any batch but the last is malformed.
        const early = await rejection(decodeTensor([frames[0]!, frames.at(-1)!]));
        expect(early.code).toMatch(/DATA_LOSS|INVALID_ARGUMENT/);
      }
    }
  });

  it('FL7: missing, reordered or extra batches fail with DATA_LOSS', async () => {
    const { frames } = await encodeTensor(sampleTensor('int16', [40]), { batchBytes: 16 });
    expect((await rejection(decodeTensor(frames.slice(0, -1)))).reason).toBe('TRUNCATED');
    expect((await rejection(decodeTensor([frames[0]!, frames[2]!, frames[1]!]))).reason).toBe('OUT_OF_ORDER');
    expect((await rejection(decodeTensor([...frames, frames[1]!]))).code).toBe('DATA_LOSS');
    expect((await rejection(decodeTensor([]))).reason).toBe('TRUNCATED');
  });

  it('FL14: malformed FlightData is INVALID_ARGUMENT, never a crash', async () => {
    const { frames } = await encodeTensor(sampleTensor('uint8', [10]));
    const garbage = { dataHeader: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), dataBody: new Uint8Array(0), appMetadata: new Uint8Array(0) };
    for (const bad of [
      [garbage],
      [{ ...frames[0]!, dataHeader: new Uint8Array(0) }],
      [frames[1]!],
      [frames[0]!, frames[0]!],
      [frames[0]!, { ...frames[1]!, dataBody: frames[1]!.dataBody.subarray(0, 3) }],
    ]) {
      const e = await rejection(decodeTensor(bad));
      expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'MALFORMED_FLIGHT_DATA']);
    }
  });

  it('FL15: a schema whose dtype or shape disagrees is refused with BAD_DTYPE / BAD_SHAPE', async () => {
    const t = sampleTensor('float32', [6]);
    const ctx = await tensorContext(t);
    const { batches } = tensorToArrow(t, ctx);
    const withMeta = (edit: (m: Map<string, string>) => void) => {
      const schema = tensorSchema(ctx);
      edit(schema.metadata as Map<string, string>);
      return [schemaFrame(schema), batchFrame(batches[0]!)];
    };
    const cases: Array<[(m: Map<string, string>) => void, string]> = [
      [(m) => m.set(META.dtype, 'int32'), 'BAD_DTYPE'],
      [(m) => m.set(META.dtype, 'float64'), 'BAD_SHAPE'],
      [(m) => m.set(META.dtype, 'complex128'), 'BAD_DTYPE'],
      [(m) => m.set(META.shape, '[7]'), 'BAD_SHAPE'],
      [(m) => m.set(META.shape, '[-6]'), 'BAD_SHAPE'],
      [(m) => m.set(META.shape, 'six'), 'BAD_SHAPE'],
      [(m) => m.set(META.hash, 'xyz'), 'BAD_METADATA'],
      [(m) => m.delete(META.totalBytes), 'BAD_METADATA'],
    ];
    for (const [edit, reason] of cases) {
      const e = await rejection(decodeTensor(withMeta(edit)));
      expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', reason]);
    }
    const noHash = await rejection(decodeTensor(withMeta((m) => m.delete(META.hash))));
    expect([noHash.code, noHash.reason]).toEqual(['DATA_LOSS', 'MISSING_HASH']);
    const e = await rejection(decodeTensor((await encodeTensor(t)).frames, { expect: { dtype: 'float32', shape: [2, 3] } }));
    expect(e.reason).toBe('BAD_SHAPE');
  });

  it('FL8: maxTensorBytes is checked from the schema, at the limit passes, one over fails', async () => {
    const t = tensor('uint8', [64]);
    const { frames } = await encodeTensor(t);
    await expect(decodeTensor(frames, { maxTensorBytes: 64 })).resolves.toBeTruthy();
    const e = await rejection(decodeTensor(frames, { maxTensorBytes: 63 }));
    expect([e.code, e.reason]).toEqual(['RESOURCE_EXHAUSTED', 'LIMIT_EXCEEDED']);
    expect((await rejection(decodeTensor(frames, { maxTensorBytes: -1 }))).reason).toBe('BAD_CONFIG');
  });
});
