import { MAX_CATEGORY_LEVELS } from '../constants';
import { encodeCategory, type Column } from './table';

// Type inference for text cells (CSV, JSON records): a column is numeric when every present
// cell is a number; int32 when they are all integers in range and none is missing (a gap
// forces float64 so it can be NaN); otherwise text, dictionary-encoded when it has few levels.

export type Cell = string | number | boolean | null | undefined;

const NUMBER = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|Infinity|NaN)$/;

function isMissing(v: Cell): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function asNumber(v: Cell): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    return NUMBER.test(t) ? Number(t) : undefined;
  }
  return undefined;
}

export function inferColumn(name: string, cells: readonly Cell[], maxLevels = MAX_CATEGORY_LEVELS): Column {
  let numeric = true;
  let integral = true;
  let missing = false;
  let bools = true;
  let present = 0;
  for (const v of cells) {
    if (isMissing(v)) {
      missing = true;
      continue;
    }
    present++;
    if (typeof v !== 'boolean') bools = false;
    const n = asNumber(v);
    if (n === undefined) {
      numeric = false;
      if (!bools) break;
    } else if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) integral = false;
  }
  if (present > 0 && bools && !missing) {
    return { kind: 'numeric', name, dtype: 'bool', values: Uint8Array.from(cells, (v) => (v === true ? 1 : 0)) };
  }
  if (numeric && present > 0) {
    if (integral && !missing) return { kind: 'numeric', name, dtype: 'int32', values: Int32Array.from(cells, (v) => asNumber(v)!) };
    return { kind: 'numeric', name, dtype: 'float64', values: Float64Array.from(cells, (v) => (isMissing(v) ? NaN : asNumber(v)!)) };
  }
  return textColumn(
    name,
    cells.map((v) => (isMissing(v) ? null : String(v))),
    maxLevels,
  );
}

/** Text stays plain strings only when it has too many distinct values to be a category. */
export function textColumn(name: string, text: readonly (string | null)[], maxLevels = MAX_CATEGORY_LEVELS): Column {
  const distinct = new Set(text);
  distinct.delete(null);
  if (distinct.size <= maxLevels) return encodeCategory(name, text);
  return { kind: 'string', name, values: text };
}
