import { ARRAY_OF, isTensor, tensor } from '../../../tensor';
import { columnOf, isTable, table, takeRows, type Column, type ColumnSchema, type Table } from '../../data/table';
import { MAX_CATEGORY_LEVELS } from '../../constants';
import { badArgument, shapeMismatch } from '../errors';
import type { OpDef } from '../registry';
import type { Aggregation, Args, PlanValue, ValueType } from '../types';
import { describeType, f64, isTextColumn } from '../values';
import { reduce, REDUCERS, type Reducer } from './reduce';

type TableType = Extract<ValueType, { kind: 'table' }>;

function tableType(op: string, t: ValueType): TableType {
  if (t.kind !== 'table') throw badArgument(op, `expects a table, got a ${describeType(t)}.`);
  return t;
}

function schemaCol(op: string, t: TableType, name: string): ColumnSchema {
  const c = t.columns.find((x) => x.name === name);
  if (c === undefined) throw badArgument(op, `no column "${name}"; the table has ${t.columns.map((x) => x.name).join(', ')}.`);
  return c;
}

const select: OpDef = {
  name: 'select',
  category: 'table',
  summary: 'keeps the named columns of a table, in that order',
  arity: [1, 1],
  args: { columns: { kind: 'strings', required: true } },
  infer: ([t], args) => {
    const x = tableType('select', t!);
    const names = args['columns'] as readonly string[];
    if (new Set(names).size !== names.length) throw badArgument('select', 'a column is named twice.');
    return { ...x, columns: names.map((n) => schemaCol('select', x, n)) };
  },
  cost: () => 0, // columns are shared, not copied
  evaluate: ([v], args) => {
    if (!isTable(v)) throw badArgument('select', 'expects a table.');
    return table((args['columns'] as readonly string[]).map((n) => columnOf(v, n)));
  },
};

// A numeric column becomes a 1-D tensor over the same typed array (no copy); a text column stays text.
const column: OpDef = {
  name: 'column',
  category: 'table',
  summary: 'one column of a table: a 1-D tensor (numeric) or a text column',
  arity: [1, 1],
  args: { name: { kind: 'string', required: true } },
  infer: ([t], args) => {
    const x = tableType('column', t!);
    const c = schemaCol('column', x, args['name'] as string);
    if (c.kind === 'numeric') return { kind: 'tensor', dtype: c.dtype!, shape: [x.rows], exact: x.exact };
    return { kind: 'text', length: x.rows, exact: x.exact };
  },
  cost: () => 0,
  evaluate: ([v], args) => {
    if (!isTable(v)) throw badArgument('column', 'expects a table.');
    const c = columnOf(v, args['name'] as string);
    if (c.kind === 'numeric') return tensor(c.dtype, [c.values.length], c.values as never);
    return c;
  },
};

const filter: OpDef = {
  name: 'filter',
  category: 'table',
  summary: 'keeps the rows (of a table) or items along axis 0 (of a tensor) where a bool mask is true',
  arity: [2, 2],
  args: {},
  infer: ([t, m]) => {
    if (m!.kind !== 'tensor' || m!.dtype !== 'bool' || m!.shape.length !== 1) throw badArgument('filter', `the mask must be a 1-D bool tensor (from a comparison), got a ${describeType(m!)}.`);
    const rows = t!.kind === 'table' ? t!.rows : t!.kind === 'tensor' && t!.shape.length > 0 ? t!.shape[0]! : t!.kind === 'text' ? t!.length : -1;
    if (rows < 0) throw badArgument('filter', `expects a table, a text column or a tensor of rank >= 1, got a ${describeType(t!)}.`);
    if (rows !== m!.shape[0]) throw shapeMismatch('filter', [rows], m!.shape, 'differ in length (rows vs mask)');
    if (t!.kind === 'table') return { ...t!, exact: false };
    if (t!.kind === 'text') return { ...t!, exact: false };
    return { ...(t as Extract<ValueType, { kind: 'tensor' }>), exact: false };
  },
  evaluate: ([v, m]) => {
    if (!isTensor(m)) throw badArgument('filter', 'the mask must be a bool tensor.');
    const mask = m.data as Uint8Array;
    const rowsOf = (n: number) => {
      if (n !== mask.length) throw shapeMismatch('filter', [n], m.shape, 'differ in length (rows vs mask)');
      const keep: number[] = [];
      for (let i = 0; i < n; i++) if (mask[i]) keep.push(i);
      return Int32Array.from(keep);
    };
    if (isTable(v)) return takeRows(v, rowsOf(v.rowCount));
    if (isTextColumn(v)) {
      const t = takeRows(table([v]), rowsOf(v.kind === 'category' ? v.codes.length : v.values.length));
      return t.columns[0] as Extract<PlanValue, { kind: 'category' | 'string' }>;
    }
    if (!isTensor(v)) throw badArgument('filter', 'expects a table, text column or tensor.');
    const keep = rowsOf(v.shape[0]!);
    const inner = v.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = new ARRAY_OF[v.dtype](keep.length * inner) as { [i: number]: number | bigint };
    const src = v.data as { [i: number]: number | bigint };
    for (let r = 0; r < keep.length; r++) for (let j = 0; j < inner; j++) out[r * inner + j] = src[keep[r]! * inner + j]!;
    return tensor(v.dtype, [keep.length, ...v.shape.slice(1)], out as never);
  },
};

// Group keys are category or integer/bool columns; group counts stay small (levels are capped),
// so the output size is bounded statically by the product of level counts.
function aggName(a: Aggregation): string {
  return a.name ?? (a.column === '' ? a.fn : `${a.fn}_${a.column}`);
}

const groupBy: OpDef = {
  name: 'group_by',
  category: 'table',
  summary: 'groups rows by key columns and aggregates (sum, mean, std, var, min, max, count) per group',
  arity: [1, 1],
  args: { keys: { kind: 'strings', required: true }, aggregations: { kind: 'aggregations', required: true } },
  infer: ([t], args) => {
    const x = tableType('group_by', t!);
    const keys = args['keys'] as readonly string[];
    const aggs = args['aggregations'] as readonly Aggregation[];
    if (keys.length === 0 || aggs.length === 0) throw badArgument('group_by', 'needs at least one key and one aggregation.');
    let bound = 1;
    const keyCols = keys.map((k) => {
      const c = schemaCol('group_by', x, k);
      if (c.kind === 'string' || (c.kind === 'numeric' && c.dtype !== 'int32' && c.dtype !== 'int16' && c.dtype !== 'int8' && c.dtype !== 'uint8' && c.dtype !== 'bool')) {
        throw badArgument('group_by', `key "${k}" must be a category or an integer column.`);
      }
      bound *= c.kind === 'category' ? Math.max(1, c.levels?.length ?? MAX_CATEGORY_LEVELS) : x.rows;
      return c.kind === 'category' ? { name: k, kind: 'category' as const } : c;
    });
    const names = new Set(keys);
    const aggCols = aggs.map((a) => {
      if (!(REDUCERS as readonly string[]).includes(a.fn)) throw badArgument('group_by', `unknown aggregation "${a.fn}"; use ${REDUCERS.join(', ')}.`);
      if (a.column !== '' || a.fn !== 'count') {
        const c = schemaCol('group_by', x, a.column);
        if (c.kind !== 'numeric') throw badArgument('group_by', `cannot ${a.fn} text column "${a.column}".`);
      }
      const n = aggName(a);
      if (names.has(n)) throw badArgument('group_by', `output column "${n}" would appear twice; give the aggregation a name.`);
      names.add(n);
      return { name: n, kind: 'numeric' as const, dtype: 'float64' as const };
    });
    return { kind: 'table', columns: [...keyCols, ...aggCols], rows: Math.min(x.rows, bound), exact: false };
  },
  cost: ([t], args) => (t as TableType).rows * ((args['keys'] as readonly string[]).length + (args['aggregations'] as readonly Aggregation[]).length),
  evaluate: ([v], args) => {
    if (!isTable(v)) throw badArgument('group_by', 'expects a table.');
    return groupByTable(v, args);
  },
};

function keyOf(c: Column, row: number): number {
  return c.kind === 'category' ? c.codes[row]! : c.kind === 'numeric' ? Number(c.values[row]) : 0;
}

function groupByTable(v: Table, args: Args): Table {
  const keys = (args['keys'] as readonly string[]).map((k) => columnOf(v, k));
  const aggs = args['aggregations'] as readonly Aggregation[];
  // Group rows by their key tuple; groups come out sorted by key so order reveals nothing of row order.
  const groups = new Map<string, { key: number[]; rows: number[] }>();
  for (let r = 0; r < v.rowCount; r++) {
    const key = keys.map((c) => keyOf(c, r));
    const id = key.join(',');
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = { key, rows: [] }));
    g.rows.push(r);
  }
  const sorted = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i]! - b.key[i]!;
    return 0;
  });
  const keyCols: Column[] = keys.map((c, i) => {
    if (c.kind === 'category') return { kind: 'category', name: c.name, levels: c.levels, codes: Int32Array.from(sorted, (g) => g.key[i]!) };
    const dtype = c.kind === 'numeric' ? c.dtype : 'int32';
    const values = new ARRAY_OF[dtype](sorted.length);
    sorted.forEach((g, j) => (values[j] = g.key[i]!));
    return { kind: 'numeric', name: c.name, dtype, values } as Column;
  });
  const aggCols: Column[] = aggs.map((a) => {
    const src = a.column === '' ? undefined : columnOf(v, a.column);
    const values = src?.kind === 'numeric' ? (src.values instanceof Float64Array ? src.values : Float64Array.from(src.values as ArrayLike<number>)) : undefined;
    const out = Float64Array.from(sorted, (g) => {
      if (values === undefined) return g.rows.length;
      return reduce(a.fn as Reducer, Float64Array.from(g.rows, (r) => values[r]!));
    });
    return { kind: 'numeric', name: aggName(a), dtype: 'float64', values: out };
  });
  return table([...keyCols, ...aggCols]);
}

// Numeric columns side by side as a [rows, columns] float64 matrix: the input a model wants.
const toTensor: OpDef = {
  name: 'to_tensor',
  category: 'table',
  summary: 'numeric columns of a table as a [rows, columns] float64 matrix',
  arity: [1, 1],
  args: { columns: { kind: 'strings' } },
  infer: ([t], args) => {
    const x = tableType('to_tensor', t!);
    const names = (args['columns'] as readonly string[] | undefined) ?? x.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
    for (const n of names) if (schemaCol('to_tensor', x, n).kind !== 'numeric') throw badArgument('to_tensor', `column "${n}" is not numeric.`);
    return { kind: 'tensor', dtype: 'float64', shape: [x.rows, names.length], exact: x.exact };
  },
  evaluate: ([v], args) => {
    if (!isTable(v)) throw badArgument('to_tensor', 'expects a table.');
    const cols = ((args['columns'] as readonly string[] | undefined) ?? v.columns.filter((c) => c.kind === 'numeric').map((c) => c.name)).map((n) => columnOf(v, n));
    const k = cols.length;
    const out = new Float64Array(v.rowCount * k);
    cols.forEach((c, j) => {
      if (c.kind !== 'numeric') throw badArgument('to_tensor', `column "${c.name}" is not numeric.`);
      for (let r = 0; r < v.rowCount; r++) out[r * k + j] = Number(c.values[r]);
    });
    return f64([v.rowCount, k], out);
  },
};

export const TABLE_OPS: readonly OpDef[] = [select, column, filter, groupBy, toTensor];
