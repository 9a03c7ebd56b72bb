import { gunzipSync } from 'fflate';
import { parquetMetadata, parquetReadObjects, type Compressors, type FileMetaData, type SchemaElement } from 'hyparquet';
import { isDuetError } from '../../errors';
import { textColumn } from './infer';
import { numericColumn } from './numeric';
import { checkShapeLimits, parseError, resolveLoadLimits, type LoadOptions } from './options';
import { enforceLimit } from '../../limits';
import { table, type Column, type NumericColumnDType, type Table } from './table';

// hyparquet: pure JS with no dependencies, actively kept, reads from an in-memory buffer in
// browsers and Node alike, and decodes snappy (the pandas/pyarrow default) itself. parquetjs
// and parquet-wasm were the alternatives: the first is unmaintained and Node-leaning, the second
// needs a multi-megabyte wasm module loaded at run time. Gzip comes from fflate, which we already
// ship; zstd, brotli and lz4 would need hyparquet-compressors (wasm snappy + fzstd) and are refused
// with a clear message until a user needs them.

const COMPRESSORS: Compressors = {
  GZIP: (input) => gunzipSync(input),
};

export async function loadParquet(bytes: Uint8Array, opts: LoadOptions): Promise<Table> {
  const file = opts.name;
  const limits = resolveLoadLimits(opts);
  enforceLimit('MAX_FILE_BYTES', bytes.byteLength, limits.maxFileBytes, `The size of ${file}`);
  // hyparquet wants an ArrayBuffer of exactly the file.
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (bytes.byteLength < 12 || String.fromCharCode(...bytes.subarray(0, 4)) !== 'PAR1') {
    throw parseError(file, 'it is not a Parquet file (it does not start with "PAR1").', { offset: 0 });
  }
  let meta: FileMetaData;
  try {
    meta = parquetMetadata(buf);
  } catch (e) {
    throw parseError(file, `its Parquet footer is unreadable (${e instanceof Error ? e.message : String(e)}).`, { offset: bytes.byteLength - 8 }, e);
  }
  const leaves = flatLeaves(meta.schema, file);
  checkShapeLimits(limits, file, Number(meta.num_rows), leaves.length);
  for (const rg of meta.row_groups) {
    for (const cc of rg.columns) {
      const codec = cc.meta_data?.codec;
      if (codec !== undefined && codec !== 'UNCOMPRESSED' && codec !== 'SNAPPY' && codec !== 'GZIP') {
        throw parseError(file, `column "${cc.meta_data?.path_in_schema.join('.') ?? '?'}" uses ${codec} compression; Duet reads uncompressed, snappy and gzip Parquet.`);
      }
    }
  }
  let rows: Record<string, unknown>[];
  try {
    rows = (await parquetReadObjects({ file: buf, metadata: meta, compressors: COMPRESSORS })) as Record<string, unknown>[];
  } catch (e) {
    throw parseError(file, `its data pages are unreadable (${e instanceof Error ? e.message : String(e)}).`, {}, e);
  }
  try {
    return table(leaves.map((el) => columnFrom(el, rows.map((r) => r[el.name]), file)));
  } catch (e) {
    if (isDuetError(e)) throw e;
    throw parseError(file, e instanceof Error ? e.message : String(e), {}, e);
  }
}

// Duet tables are flat; nested groups (lists, structs, maps) have no column form here.
function flatLeaves(schema: readonly SchemaElement[], file: string): SchemaElement[] {
  const [root, ...rest] = schema;
  if (root === undefined) throw parseError(file, 'its schema is empty.');
  for (const el of rest) {
    if ((el.num_children ?? 0) > 0 || el.repetition_type === 'REPEATED') {
      throw parseError(file, `column "${el.name}" is nested (a list, map or struct); Duet reads flat tables only.`);
    }
  }
  return rest;
}

function numericDType(el: SchemaElement): NumericColumnDType | undefined {
  switch (el.type) {
    case 'BOOLEAN':
      return 'bool';
    case 'FLOAT':
      return 'float32';
    case 'DOUBLE':
    case 'INT64':
      return 'float64';
    case 'INT32': {
      const ct = el.converted_type;
      if (ct === 'INT_8') return 'int8';
      if (ct === 'INT_16') return 'int16';
      if (ct === 'UINT_8') return 'uint8';
      if (ct === 'UINT_32') return 'float64';
      return 'int32';
    }
    default:
      return undefined;
  }
}

function columnFrom(el: SchemaElement, cells: unknown[], file: string): Column {
  const name = el.name;
  const nd = el.converted_type === 'DECIMAL' || el.logical_type !== undefined && el.logical_type.type !== 'INTEGER' && el.logical_type.type !== 'STRING' ? undefined : numericDType(el);
  if (nd !== undefined) {
    const dtype: NumericColumnDType = cells.some((v) => v === null || v === undefined) ? 'float64' : nd;
    return numericColumn(name, dtype, cells.length, (i) => cells[i], file);
  }
  if (cells.every((v) => v === null || v === undefined || typeof v === 'string')) {
    return textColumn(name, cells.map((v) => (typeof v === 'string' ? v : null)));
  }
  const type = el.logical_type?.type ?? el.converted_type ?? el.type ?? 'unknown';
  throw parseError(file, `column "${name}" has Parquet type ${String(type)}, which Duet tables do not hold (numbers, booleans and text only).`);
}
