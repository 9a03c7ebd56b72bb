import { float16ToFloat32, isTensor, sizeOf, tensor, type Tensor } from '../../tensor';
import { columnLength, isTable, schemaOf } from '../data/table';
import type { PlanValue, TextColumn, ValueType } from './types';

export function isTextColumn(v: unknown): v is TextColumn {
  if (typeof v !== 'object' || v === null || isTable(v) || isTensor(v)) return false;
  const kind = (v as { kind?: unknown }).kind;
  return kind === 'category' || kind === 'string';
}

/**
 * The static type of a concrete value (assets enter shape inference this way). Category levels
 * are left out: they are data values, shown to a DS only where the DO declared them (the listing).
 */
export function typeOfValue(v: PlanValue): ValueType {
  if (typeof v === 'string') return { kind: 'string' };
  if (isTensor(v)) return { kind: 'tensor', dtype: v.dtype, shape: v.shape, exact: true };
  if (isTable(v)) return { kind: 'table', columns: schemaOf(v).map(({ levels: _, ...c }) => c), rows: v.rowCount, exact: true };
  return { kind: 'text', length: columnLength(v), exact: true };
}

/** Elements a value of this type holds (an upper bound when inexact). */
export function elementsOf(t: ValueType): number {
  switch (t.kind) {
    case 'tensor':
      return sizeOf(t.shape);
    case 'table':
      return t.rows * t.columns.length;
    case 'text':
      return t.length;
    case 'string':
      return 1;
  }
}

export function describeType(t: ValueType): string {
  switch (t.kind) {
    case 'tensor':
      return `${t.dtype} tensor [${t.shape.join(', ')}]`;
    case 'table':
      return `table of ${t.columns.length} columns`;
    case 'text':
      return 'text column';
    case 'string':
      return 'string';
  }
}

/** The values as float64: the array itself when already float64, a converted copy otherwise. */
export function asFloat64(t: Tensor): Float64Array {
  const d = t.data;
  if (d instanceof Float64Array) return d;
  if (t.dtype === 'float16') return Float64Array.from(float16ToFloat32(d as Uint16Array));
  if (d instanceof BigInt64Array) return Float64Array.from(d, (x) => Number(x));
  return Float64Array.from(d as ArrayLike<number>);
}

export function f64(shape: readonly number[], data: Float64Array): Tensor<'float64'> {
  return tensor('float64', shape, data);
}

export function bools(shape: readonly number[], data: Uint8Array): Tensor<'bool'> {
  return tensor('bool', shape, data);
}
