import { describe, expect, it } from 'vitest';
import { encodeCategory, table, textAt, type Column, type Table } from '../../src/duet/data/table';
import { decodeValue, encodeValue } from '../../src/duet/release';
import { Store } from '../../src/duet/store';
import { tensor } from '../../src/tensor';

const numeric = (name: string, dtype: string, values: ArrayLike<number>): Column => ({ kind: 'numeric', name, dtype, values } as unknown as Column);

describe('released values on the tensor path', () => {
  it('RD7: tables of every column kind, text columns, strings and tensors round-trip exactly', () => {
    const t = table([
      numeric('f64', 'float64', Float64Array.of(1.5, NaN, -2)),
      numeric('f32', 'float32', Float32Array.of(0.25, 1, 2)),
      numeric('i32', 'int32', Int32Array.of(-7, 0, 2 ** 31 - 1)),
      numeric('i16', 'int16', Int16Array.of(-300, 1, 2)),
      numeric('i8', 'int8', Int8Array.of(-8, 1, 2)),
      numeric('u8', 'uint8', Uint8Array.of(255, 0, 1)),
      numeric('b', 'bool', Uint8Array.of(1, 0, 1)),
      encodeCategory('cat', ['x', null, 'y']),
      { kind: 'string', name: 's', values: ['a', null, 'ü'] },
    ]);
    const enc = encodeValue(t);
    expect([enc.kind, enc.tensor.dtype]).toEqual(['table', 'uint8']);
    const back = decodeValue(enc.kind, enc.tensor) as Table;
    expect(back.columns.map((c) => [c.name, c.kind, c.kind === 'numeric' ? c.dtype : ''])).toEqual(t.columns.map((c) => [c.name, c.kind, c.kind === 'numeric' ? c.dtype : '']));
    for (let j = 0; j < 7; j++) expect(Array.from((back.columns[j] as { values: ArrayLike<number> }).values)).toEqual(Array.from((t.columns[j] as { values: ArrayLike<number> }).values));
    const cat = back.columns[7]!;
    expect(cat.kind === 'category' && [0, 1, 2].map((i) => textAt(cat, i))).toEqual(['x', null, 'y']);
    expect(back.columns[8]).toEqual({ kind: 'string', name: 's', values: ['a', null, 'ü'] });

    const col = encodeCategory('sex', ['F', 'M']);
    const text = encodeValue(col);
    expect(text.kind).toBe('text');
    expect(decodeValue('text', text.tensor)).toEqual(col);
    expect(decodeValue('string', encodeValue('héllo').tensor)).toBe('héllo');
    const x = tensor('int16', [2, 2], Int16Array.of(1, 2, 3, 4));
    expect(decodeValue('tensor', encodeValue(x).tensor)).toBe(x);
    expect(() => decodeValue('nonsense', x)).toThrow(/unknown value kind/);
    expect(() => decodeValue('table', x)).toThrow(/1-D uint8/);
  });

  it('ST2: the DO can offer a mock later, and withdraw it', () => {
    const store = new Store();
    store.add({ id: 't', name: 't', value: tensor('uint8', [3], Uint8Array.of(1, 2, 3)), domains: { min: 0, max: 9 } });
    expect(() => store.mock('t')).toThrow(/no mock/);
    expect(store.setMock('t', { rows: 2 }).mockAvailable).toBe(true);
    expect(store.mock('t')).toMatchObject({ shape: [2] });
    expect(store.setMock('t', false).mockAvailable).toBe(false);
    expect(() => store.mock('t')).toThrow(/no mock/);
  });
});
