import { isTensor } from '../tensor';
import { isTable, textAt } from './data/table';
import { PREVIEW_ELEMENTS } from './constants';
import type { PlanValue } from './plan/types';
import { asFloat64, isTextColumn } from './plan/values';

// What the DO sees of a value before deciding to release it: its first few elements (or rows).
// It is built on the DO's side and never sent to the DS.

export type Preview =
  | { readonly kind: 'tensor'; readonly dtype: string; readonly shape: readonly number[]; readonly head: readonly number[] }
  | { readonly kind: 'table'; readonly columns: readonly string[]; readonly rows: number; readonly head: ReadonlyArray<ReadonlyArray<string | number | null>> }
  | { readonly kind: 'text'; readonly length: number; readonly head: ReadonlyArray<string | null> }
  | { readonly kind: 'string'; readonly value: string };

export function previewOf(v: PlanValue, elements = PREVIEW_ELEMENTS): Preview {
  if (typeof v === 'string') return { kind: 'string', value: v.slice(0, 200) };
  if (isTensor(v)) {
    const n = Math.min(elements, v.data.length);
    const head = Array.from(asFloat64({ ...v, data: v.data.subarray(0, n) } as typeof v));
    return { kind: 'tensor', dtype: v.dtype, shape: v.shape, head };
  }
  if (isTable(v)) {
    const rows = Math.min(v.rowCount, Math.max(1, Math.floor(elements / Math.max(1, v.columns.length))));
    const head = Array.from({ length: rows }, (_, r) => v.columns.map((c) => (c.kind === 'numeric' ? Number(c.values[r]) : textAt(c, r))));
    return { kind: 'table', columns: v.columns.map((c) => c.name), rows: v.rowCount, head };
  }
  if (isTextColumn(v)) {
    const length = v.kind === 'category' ? v.codes.length : v.values.length;
    return { kind: 'text', length, head: Array.from({ length: Math.min(elements, length) }, (_, i) => textAt(v, i)) };
  }
  return { kind: 'string', value: '' };
}
