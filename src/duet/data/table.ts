import { DuetError } from '../../errors';
import type { DataOf } from '../../tensor';

// A column-oriented table. Numbers live in typed arrays (so a column becomes a tensor with
// no copy); text lives either as a dictionary (category: codes into a small list of levels,
// which group-by, mocks and DP histograms need) or as plain strings (free text).

export const NUMERIC_COLUMN_DTYPES = ['float64', 'float32', 'int32', 'int16', 'int8', 'uint8', 'bool'] as const;
export type NumericColumnDType = (typeof NUMERIC_COLUMN_DTYPES)[number];

export interface NumericColumn<D extends NumericColumnDType = NumericColumnDType> {
  readonly kind: 'numeric';
  readonly name: string;
  readonly dtype: D;
  /** Missing values are NaN, so a column with gaps is always float. */
  readonly values: DataOf[D];
}

export interface CategoryColumn {
  readonly kind: 'category';
  readonly name: string;
  readonly levels: readonly string[];
  /** Index into `levels`, or -1 for a missing value. */
  readonly codes: Int32Array;
}

export interface StringColumn {
  readonly kind: 'string';
  readonly name: string;
  /** null is a missing value. */
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | CategoryColumn | StringColumn;
export type ColumnKind = Column['kind'];

const TABLE_BRAND = Symbol.for('duet/table');

export interface Table {
  readonly [TABLE_BRAND]: true;
  readonly columns: readonly Column[];
  readonly rowCount: number;
}

/** The schema of one column: what a listing may show (never values). */
export interface ColumnSchema {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly dtype?: NumericColumnDType;
  /** Category levels are part of the schema (like an enum), not data values. */
  readonly levels?: readonly string[];
}

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TABLE_BRAND] === true;
}

export function columnLength(c: Column): number {
  return c.kind === 'numeric' ? c.values.length : c.kind === 'category' ? c.codes.length : c.values.length;
}

/** Builds a table, checking names are unique and every column has the same length. */
export function table(columns: readonly Column[]): Table {
  const seen = new Set<string>();
  for (const c of columns) {
    if (c.name === '') throw new DuetError('INVALID_ARGUMENT', 'A column needs a name.', { reason: 'BAD_TABLE' });
    if (seen.has(c.name)) throw new DuetError('INVALID_ARGUMENT', `Column "${c.name}" appears twice.`, { reason: 'BAD_TABLE' });
    seen.add(c.name);
    if (c.kind === 'category') {
      for (const code of c.codes) {
        if (code < -1 || code >= c.levels.length) {
          throw new DuetError('INVALID_ARGUMENT', `Column "${c.name}" has code ${code} outside its ${c.levels.length} levels.`, { reason: 'BAD_TABLE' });
        }
      }
    }
  }
  const rowCount = columns.length === 0 ? 0 : columnLength(columns[0]!);
  for (const c of columns) {
    if (columnLength(c) !== rowCount) {
      throw new DuetError('INVALID_ARGUMENT', `Column "${c.name}" has ${columnLength(c)} rows but the table has ${rowCount}.`, { reason: 'BAD_TABLE' });
    }
  }
  return Object.freeze({ [TABLE_BRAND]: true as const, columns: Object.freeze([...columns]), rowCount });
}

export function columnOf(t: Table, name: string): Column {
  const c = t.columns.find((col) => col.name === name);
  if (c === undefined) {
    throw new DuetError('INVALID_ARGUMENT', `No column "${name}"; the table has ${t.columns.map((x) => x.name).join(', ')}.`, {
      reason: 'NO_SUCH_COLUMN',
      details: { column: name },
    });
  }
  return c;
}

export function schemaOf(t: Table): ColumnSchema[] {
  return t.columns.map(columnSchema);
}

export function columnSchema(c: Column): ColumnSchema {
  if (c.kind === 'numeric') return { name: c.name, kind: 'numeric', dtype: c.dtype };
  if (c.kind === 'category') return { name: c.name, kind: 'category', levels: c.levels };
  return { name: c.name, kind: 'string' };
}

/** Reads a cell as a number (NaN when missing); bool and ints widen exactly to float64. */
export function numericAt(c: NumericColumn, row: number): number {
  return c.values[row] as number;
}

/** Reads a text cell, whatever its encoding; null when missing. */
export function textAt(c: CategoryColumn | StringColumn, row: number): string | null {
  if (c.kind === 'string') return c.values[row] ?? null;
  const code = c.codes[row]!;
  return code < 0 ? null : c.levels[code]!;
}

/** Dictionary-encodes text values; levels are sorted so the encoding does not reveal row order. */
export function encodeCategory(name: string, values: readonly (string | null)[]): CategoryColumn {
  const levels = [...new Set(values.filter((v): v is string => v !== null))].sort();
  const index = new Map(levels.map((l, i) => [l, i] as const));
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    codes[i] = v === null || v === undefined ? -1 : index.get(v)!;
  }
  return { kind: 'category', name, levels, codes };
}

/** Picks rows by index (a gather), keeping each column's encoding. */
export function takeRows(t: Table, rows: Int32Array | readonly number[]): Table {
  return table(
    t.columns.map((c): Column => {
      if (c.kind === 'numeric') {
        const src = c.values;
        const out = new (src.constructor as new (n: number) => typeof src)(rows.length);
        for (let i = 0; i < rows.length; i++) out[i] = src[rows[i]!]!;
        return { ...c, values: out };
      }
      if (c.kind === 'category') {
        const codes = new Int32Array(rows.length);
        for (let i = 0; i < rows.length; i++) codes[i] = c.codes[rows[i]!]!;
        return { ...c, codes };
      }
      const values = c.values;
      return { ...c, values: Array.from(rows, (r) => values[r] ?? null) };
    }),
  );
}
