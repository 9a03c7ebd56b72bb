import { configuredLimit } from '../limits';
import { uniform01, uniformInt, secureRandom, type RandomSource } from '../privacy/dp/random';
import { ARRAY_OF, tensor, toFloat16Bits, type DType, type Tensor } from '../tensor';
import { DEFAULT_MOCK_ROWS, MAX_MOCK_ROWS } from './constants';
import { table, type Column, type Table } from './data/table';
import type { AssetMeta, ListedColumn } from './store';
import type { ValueDomain } from './domain';

// A mock is built from an asset's *listing* (public schema + declared domains) and a random
// source, never from its values, so it cannot copy a real row: it shows the DS the shape of
// the data to write code against. Where no domain was declared, values come from a neutral
// placeholder range and categories get placeholder levels, rather than peeking at the data.

export interface MockOptions {
  /** Rows in the mock (default DEFAULT_MOCK_ROWS, at most MAX_MOCK_ROWS and the asset's rows). */
  rows?: number;
  /** Injectable for reproducible mocks in tests; secure by default. */
  random?: RandomSource;
}

const PLACEHOLDER_LEVELS = ['level-a', 'level-b', 'level-c'];

export function makeMock(meta: AssetMeta, opts: MockOptions = {}): Table | Tensor {
  const wanted = configuredLimit('MAX_MOCK_ROWS', opts.rows, DEFAULT_MOCK_ROWS, { min: 1, max: MAX_MOCK_ROWS });
  const rng = opts.random ?? secureRandom;
  if (meta.kind === 'tensor') {
    const shape = meta.shape ?? [];
    const mockShape = shape.length === 0 ? [] : [Math.min(wanted, shape[0]!), ...shape.slice(1)];
    return mockTensor(meta.dtype ?? 'float64', mockShape, meta.domain ?? {}, rng);
  }
  const rows = Math.min(wanted, meta.rowCount);
  return table((meta.schema ?? []).map((c) => mockColumn(c, rows, rng)));
}

function isIntegral(dtype: DType): boolean {
  return dtype !== 'float16' && dtype !== 'float32' && dtype !== 'float64';
}

function draw(dtype: DType, d: ValueDomain, rng: RandomSource): number {
  if (dtype === 'bool') return uniformInt(2, rng);
  const lo = d.min ?? 0;
  const hi = d.max ?? (isIntegral(dtype) ? 9 : 1);
  if (isIntegral(dtype)) {
    const a = Math.ceil(lo);
    const b = Math.floor(hi);
    return b < a ? a : a + uniformInt(Math.min(b - a + 1, 2 ** 32), rng);
  }
  return lo + (hi - lo) * uniform01(rng);
}

function mockTensor(dtype: DType, shape: number[], d: ValueDomain, rng: RandomSource): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new ARRAY_OF[dtype](n);
  for (let i = 0; i < n; i++) {
    const v = draw(dtype, d, rng);
    if (dtype === 'int64') (data as BigInt64Array)[i] = BigInt(v);
    else if (dtype === 'float16') (data as Uint16Array)[i] = toFloat16Bits(v);
    else (data as Float64Array)[i] = v;
  }
  return tensor(dtype, shape, data);
}

function mockColumn(c: ListedColumn, rows: number, rng: RandomSource): Column {
  if (c.kind === 'numeric') {
    const dtype = c.dtype ?? 'float64';
    const values = new ARRAY_OF[dtype](rows);
    for (let i = 0; i < rows; i++) values[i] = draw(dtype, c.domain ?? {}, rng);
    return { kind: 'numeric', name: c.name, dtype, values } as Column;
  }
  if (c.kind === 'category') {
    const levels = c.domain?.levels && c.domain.levels.length > 0 ? [...c.domain.levels] : PLACEHOLDER_LEVELS;
    const codes = Int32Array.from({ length: rows }, () => uniformInt(levels.length, rng));
    return { kind: 'category', name: c.name, levels, codes };
  }
  return { kind: 'string', name: c.name, values: Array.from({ length: rows }, () => `text-${uniformInt(1000, rng)}`) };
}
