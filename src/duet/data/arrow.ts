import { DataType, tableFromIPC, type Table as ArrowTable, type Vector } from 'apache-arrow';
import { isDuetError } from '../../errors';
import { maybeGunzip } from './bytes';
import { textColumn } from './infer';
import { numericColumn } from './numeric';
import { checkShapeLimits, parseError, resolveLoadLimits, type LoadOptions } from './options';
import { encodeCategory, table, type Column, type NumericColumnDType, type Table } from './table';

// apache-arrow is the format's own JS implementation (and the one Duet's tensor path already
// uses), so IPC files and streams from pyarrow, polars or DuckDB read the way they were written.

export function loadArrow(bytes: Uint8Array, opts: LoadOptions): Table {
  const file = opts.name;
  const limits = resolveLoadLimits(opts);
  const raw = maybeGunzip(bytes, file, limits);
  let at: ArrowTable;
  try {
    at = tableFromIPC(raw);
  } catch (e) {
    throw parseError(file, `it is not an Arrow IPC file or stream (${e instanceof Error ? e.message : String(e)}).`, {}, e);
  }
  if (at.schema.fields.length === 0 && raw.byteLength > 0 && at.numRows === 0 && !looksLikeArrow(raw)) {
    throw parseError(file, 'it is not an Arrow IPC file or stream (no schema found).');
  }
  checkShapeLimits(limits, file, at.numRows, at.schema.fields.length);
  try {
    return table(at.schema.fields.map((f, j) => fromVector(f.name, at.getChildAt(j)!, file)));
  } catch (e) {
    if (isDuetError(e)) throw e;
    throw parseError(file, e instanceof Error ? e.message : String(e), {}, e);
  }
}

// The IPC file format starts with "ARROW1"; the stream format starts with a continuation marker.
function looksLikeArrow(raw: Uint8Array): boolean {
  const magic = String.fromCharCode(...raw.subarray(0, 6));
  return magic === 'ARROW1' || (raw[0] === 0xff && raw[1] === 0xff && raw[2] === 0xff && raw[3] === 0xff);
}

function numericDType(type: DataType): NumericColumnDType | 'wide' | undefined {
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isFloat(type)) return type.precision === 2 ? 'float64' : 'float32';
  if (DataType.isInt(type)) {
    if (type.isSigned) return type.bitWidth === 8 ? 'int8' : type.bitWidth === 16 ? 'int16' : type.bitWidth === 32 ? 'int32' : 'wide';
    return type.bitWidth === 8 ? 'uint8' : type.bitWidth === 16 ? 'int32' : 'wide';
  }
  return undefined;
}

function fromVector(name: string, vec: Vector, file: string): Column {
  const type = vec.type as DataType;
  const n = vec.length;
  const nd = numericDType(type);
  if (nd !== undefined) {
    const dtype: NumericColumnDType = vec.nullCount > 0 || nd === 'wide' ? 'float64' : nd;
    return numericColumn(name, dtype, n, (i) => vec.get(i) as unknown, file);
  }
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || (DataType.isDictionary(type) && DataType.isUtf8(type.dictionary))) {
    const values: (string | null)[] = new Array<string | null>(n);
    for (let i = 0; i < n; i++) values[i] = (vec.get(i) as string | null) ?? null;
    return DataType.isDictionary(type) ? encodeCategory(name, values) : textColumn(name, values);
  }
  throw parseError(file, `column "${name}" has Arrow type ${String(type)}, which Duet tables do not hold (numbers, booleans and text only).`);
}
