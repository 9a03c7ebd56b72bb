import { Bool, DataType, Dictionary, Int32, Table as ArrowTable, Utf8, makeVector, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import { DuetError } from '../errors';
import { ARRAY_OF, isTensor, tensor, type Tensor } from '../tensor';
import { encodeCategory, isTable, table, type Column, type NumericColumnDType, type Table } from './data/table';
import type { PlanValue, TextColumn } from './plan/types';
import { isTextColumn } from './plan/values';

// A released value travels as one tensor over the tensor path (Transfers), whatever it is:
// a tensor as itself; a table or a text column as Arrow IPC stream bytes (the format Duet's
// tensor paths already speak, read back with no loss of dtype, category or missing value);
// a string as UTF-8. The kind travels beside it (RequestUpdate.value_kind).

export const VALUE_KINDS = ['tensor', 'table', 'text', 'string'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

export interface EncodedValue {
  readonly kind: ValueKind;
  readonly tensor: Tensor;
}

export function encodeValue(v: PlanValue): EncodedValue {
  if (typeof v === 'string') return { kind: 'string', tensor: bytesTensor(new TextEncoder().encode(v)) };
  if (isTensor(v)) return { kind: 'tensor', tensor: v };
  if (isTable(v)) return { kind: 'table', tensor: bytesTensor(tableToIpc(v)) };
  if (isTextColumn(v)) return { kind: 'text', tensor: bytesTensor(tableToIpc(table([v]))) };
  throw new DuetError('INTERNAL', 'A value of an unknown kind cannot be released.');
}

export function decodeValue(kind: string, t: Tensor): PlanValue {
  switch (kind) {
    case 'tensor':
      return t;
    case 'string':
      return new TextDecoder().decode(asBytes(t));
    case 'table':
      return ipcToTable(asBytes(t));
    case 'text': {
      const col = ipcToTable(asBytes(t)).columns[0];
      if (col === undefined || col.kind === 'numeric') throw malformedRelease('a text value holds no text column');
      return col as TextColumn;
    }
    default:
      throw malformedRelease(`unknown value kind "${kind}"`);
  }
}

function malformedRelease(why: string): DuetError {
  return new DuetError('INVALID_ARGUMENT', `A released value could not be read: ${why}.`, { reason: 'MALFORMED_MESSAGE' });
}

function bytesTensor(b: Uint8Array): Tensor<'uint8'> {
  return tensor('uint8', [b.byteLength], b);
}

function asBytes(t: Tensor): Uint8Array {
  if (t.dtype !== 'uint8' || t.shape.length !== 1) throw malformedRelease(`expected a 1-D uint8 tensor of bytes, got ${t.dtype} [${t.shape.join(', ')}]`);
  return t.data as Uint8Array;
}

/** A Duet table as an Arrow IPC stream. Categories become Arrow dictionaries; missing text is null. */
export function tableToIpc(t: Table): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const c of t.columns) vectors[c.name] = toVector(c);
  return tableToIPC(new ArrowTable(vectors), 'stream');
}

function toVector(c: Column): Vector {
  if (c.kind === 'string') return vectorFromArray([...c.values], new Utf8());
  if (c.kind === 'category') {
    const values = Array.from(c.codes, (code) => (code < 0 ? null : c.levels[code]!));
    return vectorFromArray(values, new Dictionary(new Utf8(), new Int32()));
  }
  switch (c.dtype) {
    case 'bool':
      return vectorFromArray(Array.from(c.values as Uint8Array, (x) => x !== 0), new Bool());
    default:
      // Typed arrays map 1:1 onto Arrow's numeric types (Float64Array -> Float64, ...).
      return makeVector(c.values as Float64Array);
  }
}

/** The inverse of tableToIpc: the exact dtypes, categories and strings come back. */
export function ipcToTable(bytes: Uint8Array): Table {
  let at: ArrowTable;
  try {
    at = tableFromIPC(bytes);
  } catch (e) {
    throw malformedRelease(e instanceof Error ? e.message : String(e));
  }
  return table(at.schema.fields.map((f, j) => fromVector(f.name, at.getChildAt(j)!)));
}

function dtypeOf(type: DataType): NumericColumnDType | undefined {
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isFloat(type)) return type.precision === 2 ? 'float64' : type.precision === 1 ? 'float32' : undefined;
  if (DataType.isInt(type)) {
    if (type.isSigned) return type.bitWidth === 8 ? 'int8' : type.bitWidth === 16 ? 'int16' : type.bitWidth === 32 ? 'int32' : undefined;
    return type.bitWidth === 8 ? 'uint8' : undefined;
  }
  return undefined;
}

function fromVector(name: string, vec: Vector): Column {
  const type = vec.type as DataType;
  const n = vec.length;
  const dtype = dtypeOf(type);
  if (dtype !== undefined) {
    const values = new ARRAY_OF[dtype](n);
    for (let i = 0; i < n; i++) values[i] = Number(vec.get(i) ?? NaN);
    return { kind: 'numeric', name, dtype, values } as Column;
  }
  const text: (string | null)[] = new Array<string | null>(n);
  for (let i = 0; i < n; i++) text[i] = (vec.get(i) as string | null) ?? null;
  if (DataType.isDictionary(type)) return encodeCategory(name, text);
  if (DataType.isUtf8(type)) return { kind: 'string', name, values: text };
  throw malformedRelease(`column "${name}" has Arrow type ${String(type)}`);
}
