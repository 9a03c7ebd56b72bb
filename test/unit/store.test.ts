import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MOCK_ROWS, MAX_MOCK_ROWS } from '../../src/duet/constants';
import { columnOf, isTable, table, textAt, type Table } from '../../src/duet/data';
import { loadDemoAssets } from '../../src/duet/demo';
import { Store } from '../../src/duet/store';
import { isDuetError } from '../../src/errors';
import { seededRandom } from '../../src/privacy/dp/random';
import { isTensor, tensor } from '../../src/tensor';

const readDemo = async (name: string) => new Uint8Array(await readFile(`examples/data/${name}`));

function people(): Table {
  return table([
    { kind: 'numeric', name: 'age', dtype: 'int32', values: Int32Array.of(31, 45, 27, 60) },
    { kind: 'category', name: 'sex', levels: ['F', 'M'], codes: Int32Array.of(0, 1, 1, 0) },
    { kind: 'string', name: 'note', values: ['secret-a', 'secret-b', null, 'secret-d'] },
  ]);
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isDuetError(e) ? `${e.code}/${e.reason ?? ''}` : 'not a DuetError';
  }
  return 'no error';
}

describe('store', () => {
  it('ST1: listing() returns metadata only, never values', () => {
    const s = new Store();
    s.add({ name: 'People', value: people(), tags: ['pii'] });
    s.add({ name: 'Weights', value: tensor('float64', [2, 2], Float64Array.of(0.123, 0.456, 0.789, 0.987)) });
    const listing = s.listing();
    expect(listing.map((a) => a.id)).toEqual(['people', 'weights']);
    const json = JSON.stringify(listing);
    for (const secret of ['secret-a', 'secret-b', '0.123', '0.987', '"F"', '"M"']) expect(json).not.toContain(secret);
    expect(listing[0]).toMatchObject({ kind: 'table', rowCount: 4, mockAvailable: false, tags: ['pii'] });
    expect(listing[0]!.schema).toEqual([
      { name: 'age', kind: 'numeric', dtype: 'int32' },
      { name: 'sex', kind: 'category' },
      { name: 'note', kind: 'string' },
    ]);
    expect(listing[1]).toMatchObject({ kind: 'tensor', dtype: 'float64', shape: [2, 2] });
    // Nothing in a listing entry is a typed array or a table.
    for (const a of listing) for (const v of Object.values(a)) expect(isTable(v) || isTensor(v) || ArrayBuffer.isView(v)).toBe(false);
  });

  it('ST2: assets are private by default: no mock unless the DO offers one', () => {
    const s = new Store();
    s.add({ id: 'p', name: 'People', value: people() });
    expect(code(() => s.mock('p'))).toBe('PERMISSION_DENIED/NO_MOCK');
  });

  it('ST3: a mock has the schema and declared domains, never a real value, and never a real row', () => {
    const s = new Store();
    s.add({ id: 'p', name: 'People', value: people(), domains: { age: { min: 18, max: 99 }, sex: { levels: ['F', 'M'] } }, mock: { rows: 200, random: seededRandom(7) } });
    const mock = s.mock('p') as Table;
    expect(mock.rowCount).toBe(4); // never more rows than the asset has
    expect(mock.columns.map((c) => [c.name, c.kind])).toEqual([
      ['age', 'numeric'],
      ['sex', 'category'],
      ['note', 'string'],
    ]);
    const age = columnOf(mock, 'age');
    if (age.kind !== 'numeric') throw new Error('age');
    for (const v of age.values) expect(v >= 18 && v <= 99 && Number.isInteger(v)).toBe(true);
    const note = columnOf(mock, 'note');
    if (note.kind !== 'string') throw new Error('note');
    for (let i = 0; i < mock.rowCount; i++) expect(textAt(note, i)).toMatch(/^text-\d+$/);
    // Undeclared category levels become placeholders rather than leaking the real ones.
    s.add({ id: 'q', name: 'Q', value: people(), mock: true });
    const sex = columnOf(s.mock('q') as Table, 'sex');
    expect(sex.kind === 'category' && sex.levels).toEqual(['level-a', 'level-b', 'level-c']);
  });

  it('ST3: mock rows are bounded by MAX_MOCK_ROWS at its edge', () => {
    const big = tensor('float32', [MAX_MOCK_ROWS + 5, 2]);
    const s = new Store();
    s.add({ id: 'ok', name: 'ok', value: big, mock: { rows: MAX_MOCK_ROWS } });
    expect((s.mock('ok') as { shape: readonly number[] }).shape).toEqual([MAX_MOCK_ROWS, 2]);
    expect(code(() => s.add({ id: 'bad', name: 'bad', value: big, mock: { rows: MAX_MOCK_ROWS + 1 } }))).toBe('INVALID_ARGUMENT/BAD_CONFIG');
    s.add({ id: 'dflt', name: 'd', value: big, domains: { min: -1, max: 1 }, mock: true });
    const m = s.mock('dflt');
    expect(isTensor(m) && m.shape[0]).toBe(DEFAULT_MOCK_ROWS);
    if (isTensor(m)) for (const v of m.data as Float32Array) expect(v >= -1 && v <= 1).toBe(true);
  });

  it('refuses duplicate ids, bad domains, and names unknown assets NOT_FOUND', () => {
    const s = new Store();
    s.add({ id: 'p', name: 'People', value: people() });
    expect(code(() => s.add({ id: 'p', name: 'again', value: people() }))).toBe('ALREADY_EXISTS/');
    expect(code(() => s.add({ name: 'x', value: people(), domains: { age: { min: 5, max: 1 } } }))).toBe('INVALID_ARGUMENT/BAD_DOMAIN');
    expect(code(() => s.add({ name: 'x', value: people(), domains: { nope: { min: 0 } } }))).toBe('INVALID_ARGUMENT/BAD_DOMAIN');
    expect(code(() => s.add({ name: 'x', value: people(), domains: { sex: { min: 0 } } }))).toBe('INVALID_ARGUMENT/BAD_DOMAIN');
    expect(code(() => s.value('nope'))).toBe('NOT_FOUND/NO_SUCH_ASSET');
    s.remove('p');
    expect(code(() => s.meta('p'))).toBe('NOT_FOUND/NO_SUCH_ASSET');
  });

  it('builds the demo store from the shipped bytes (Adult + MNIST 640/640)', async () => {
    const s = await loadDemoAssets(readDemo);
    const ids = s.listing().map((a) => a.id);
    expect(ids).toEqual(['adult', 'mnist-train-images', 'mnist-train-labels', 'mnist-test-images', 'mnist-test-labels']);
    expect(s.meta('adult').rowCount).toBe(4000);
    expect(s.meta('mnist-train-images').shape).toEqual([640, 28, 28]);
    expect(s.meta('mnist-test-labels').shape).toEqual([640]);
    const sexDomain = s.meta('adult').schema!.find((c) => c.name === 'sex')!.domain;
    expect(sexDomain?.levels).toEqual(['Female', 'Male']);
    const labels = s.value('mnist-test-labels');
    if (!isTensor(labels)) throw new Error('labels');
    for (const v of labels.data as Uint8Array) expect(v).toBeLessThan(10);
    const mock = s.mock('adult') as Table;
    const real = s.value('adult') as Table;
    const rowKey = (t: Table, i: number) => t.columns.map((c) => (c.kind === 'numeric' ? String(c.values[i]) : textAt(c, i))).join('|');
    const realRows = new Set(Array.from({ length: real.rowCount }, (_, i) => rowKey(real, i)));
    for (let i = 0; i < mock.rowCount; i++) expect(realRows.has(rowKey(mock, i))).toBe(false);
  });
});
