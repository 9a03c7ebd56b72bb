import { readFileSync } from 'node:fs';
import { tableFromArrays, tableToIPC, vectorFromArray, Dictionary, Utf8, Int32, tableFromJSON } from 'apache-arrow';
import { gzipSync } from 'fflate';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS } from '../../src/duet/constants';
import { columnOf, isTable, loadArrow, loadCsv, loadFile, loadIdx, loadJson, loadParquet, IDX_MAGIC_IMAGES, type Table } from '../../src/duet/data';
import { isDuetError, type DuetError } from '../../src/errors';
import { isTensor } from '../../src/tensor';

const enc = (s: string) => new TextEncoder().encode(s);

function caught(fn: () => unknown): DuetError {
  try {
    fn();
  } catch (e) {
    if (isDuetError(e)) return e;
    throw new Error(`not a DuetError: ${String(e)}`);
  }
  throw new Error('did not throw');
}

async function caughtAsync(fn: () => Promise<unknown>): Promise<DuetError> {
  try {
    await fn();
  } catch (e) {
    if (isDuetError(e)) return e;
    throw new Error(`not a DuetError: ${String(e)}`);
  }
  throw new Error('did not throw');
}

function idxBytes(code: number, shape: number[], body: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * shape.length);
  const v = new DataView(head.buffer);
  v.setUint8(2, code);
  v.setUint8(3, shape.length);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

describe('CSV loader', () => {
  it('infers numeric, int and category columns, with gaps as NaN / -1', () => {
    const t = loadCsv(enc('age,name,score\n30,ann,1.5\n41,"bo, b",\n29,ann,2\n'), { name: 'p.csv' });
    expect(t.rowCount).toBe(3);
    const age = columnOf(t, 'age');
    expect(age.kind === 'numeric' && age.dtype).toBe('int32');
    const score = columnOf(t, 'score');
    expect(score.kind === 'numeric' && score.dtype).toBe('float64');
    expect(score.kind === 'numeric' && Number.isNaN(score.values[1])).toBe(true);
    const name = columnOf(t, 'name');
    expect(name.kind === 'category' && name.levels).toEqual(['ann', 'bo, b']);
    expect(name.kind === 'category' && Array.from(name.codes)).toEqual([0, 1, 0]);
  });

  it('reads TSV by its name, and a BOM does not end up in the first column name', () => {
    const t = loadCsv(enc('\uFEFFa\tb\n1\t2\n'), { name: 'x.tsv' });
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('LD1: a ragged row is INVALID_ARGUMENT naming the file and the line', () => {
    const e = caught(() => loadCsv(enc('a,b\n1,2\n3\n4,5\n'), { name: 'ragged.csv' }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.reason).toBe('PARSE_ERROR');
    expect(e.message).toMatch(/ragged\.csv \(line 3\).*expected 2 fields, found 1/);
    expect(e.details).toMatchObject({ file: 'ragged.csv', line: 3 });
  });

  it('LD1: a duplicate header, binary bytes and an empty file are each refused with a reason', () => {
    expect(caught(() => loadCsv(enc('a,a\n1,2\n'), { name: 'd.csv' })).message).toMatch(/"a" twice/);
    expect(caught(() => loadCsv(new Uint8Array([0xff, 0xfe, 0x00, 0x80]), { name: 'bin.csv' })).message).toMatch(/not UTF-8/);
    expect(caught(() => loadCsv(enc(''), { name: 'e.csv' })).message).toMatch(/empty/);
  });

  it('LD2: MAX_ROWS is enforced at its edge (a setting may only tighten it)', () => {
    const csv = enc('a\n1\n2\n3\n');
    expect(loadCsv(csv, { name: 'r.csv', maxRows: 3 }).rowCount).toBe(3);
    const e = caught(() => loadCsv(csv, { name: 'r.csv', maxRows: 2 }));
    expect(e.code).toBe('RESOURCE_EXHAUSTED');
    expect(e.details).toMatchObject({ limit: 'MAX_ROWS', max: 2, actual: 3 });
    expect(caught(() => loadCsv(csv, { name: 'r.csv', maxRows: MAX_ROWS + 1 })).reason).toBe('BAD_CONFIG');
  });

  it('LD2: MAX_COLUMNS is enforced at its edge, with the real constant', () => {
    const header = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(',');
    const row = (n: number) => Array.from({ length: n }, () => '1').join(',');
    const ok = loadCsv(enc(`${header(MAX_COLUMNS)}\n${row(MAX_COLUMNS)}\n`), { name: 'w.csv' });
    expect(ok.columns.length).toBe(MAX_COLUMNS);
    const e = caught(() => loadCsv(enc(`${header(MAX_COLUMNS + 1)}\n${row(MAX_COLUMNS + 1)}\n`), { name: 'w.csv' }));
    expect(e.details).toMatchObject({ limit: 'MAX_COLUMNS', actual: MAX_COLUMNS + 1 });
  });

  it('LD2: MAX_FILE_BYTES is enforced at its edge', () => {
    const csv = enc('a\n1\n');
    expect(loadCsv(csv, { name: 's.csv', maxFileBytes: csv.length }).rowCount).toBe(1);
    expect(caught(() => loadCsv(csv, { name: 's.csv', maxFileBytes: csv.length - 1 })).details).toMatchObject({ limit: 'MAX_FILE_BYTES' });
    expect(caught(() => loadCsv(csv, { name: 's.csv', maxFileBytes: MAX_FILE_BYTES + 1 })).reason).toBe('BAD_CONFIG');
  });

  it('LD3: decompression is bounded by MAX_FILE_BYTES as it runs (a gzip bomb stops early)', () => {
    const bomb = gzipSync(new Uint8Array(10_000_000).fill(0x31));
    expect(bomb.length).toBeLessThan(100_000);
    const e = caught(() => loadCsv(bomb, { name: 'bomb.csv.gz', maxFileBytes: 1_000_000 }));
    expect(e.code).toBe('RESOURCE_EXHAUSTED');
    expect(e.message).toMatch(/uncompressed size of bomb\.csv\.gz/);
    // It stopped near the limit rather than inflating all 10 MB first.
    expect(e.details['actual']).toBeLessThan(1_000_000 + 1032 * 1024);
  });

  it('LD1: truncated gzip is a parse error, not a crash', () => {
    const gz = gzipSync(enc('a,b\n1,2\n'));
    expect(caught(() => loadCsv(gz.subarray(0, gz.length - 12), { name: 't.csv.gz' })).reason).toBe('PARSE_ERROR');
  });
});

describe('Arrow loader', () => {
  it('reads numbers, nulls, text and dictionaries from an IPC file and stream', () => {
    const at = tableFromArrays({ x: new Float64Array([1, 2, 3]), n: new Int32Array([4, 5, 6]) });
    const cat = vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32()));
    const withCat = at.assign(tableFromArrays({ c: cat as never }));
    for (const format of ['file', 'stream'] as const) {
      const t = loadArrow(tableToIPC(withCat, format), { name: `t.${format}.arrow` });
      expect(t.rowCount).toBe(3);
      const n = columnOf(t, 'n');
      expect(n.kind === 'numeric' && n.dtype).toBe('int32');
      const c = columnOf(t, 'c');
      expect(c.kind === 'category' && c.levels).toEqual(['a', 'b']);
    }
    const nulls = loadArrow(tableToIPC(tableFromJSON([{ v: 1, s: 'p' }, { v: null, s: null }])), { name: 'n.arrow' });
    const v = columnOf(nulls, 'v');
    expect(v.kind === 'numeric' && Number.isNaN(v.values[1])).toBe(true);
  });

  it('LD1: garbage bytes are INVALID_ARGUMENT naming the file', () => {
    const e = caught(() => loadArrow(enc('hello, not arrow at all'), { name: 'junk.arrow' }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/junk\.arrow/);
  });

  it('LD2: rows over MAX_ROWS are refused', () => {
    const bytes = tableToIPC(tableFromArrays({ x: new Float64Array(5) }));
    expect(loadArrow(bytes, { name: 'a.arrow', maxRows: 5 }).rowCount).toBe(5);
    expect(caught(() => loadArrow(bytes, { name: 'a.arrow', maxRows: 4 })).code).toBe('RESOURCE_EXHAUSTED');
  });
});

describe('Parquet loader', () => {
  const pq = () =>
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'age', data: [25, 30, 35], type: 'INT32' },
          { name: 'w', data: [0.5, null, 1.5], type: 'DOUBLE' },
          { name: 'name', data: ['a', 'b', 'a'], type: 'STRING' },
          { name: 'ok', data: [true, false, true], type: 'BOOLEAN' },
        ],
      }),
    );

  it('reads a flat file (snappy, the writer default)', async () => {
    const t = await loadParquet(pq(), { name: 'p.parquet' });
    expect(t.rowCount).toBe(3);
    const age = columnOf(t, 'age');
    expect(age.kind === 'numeric' && Array.from(age.values)).toEqual([25, 30, 35]);
    const w = columnOf(t, 'w');
    expect(w.kind === 'numeric' && Number.isNaN(w.values[1])).toBe(true);
    expect(columnOf(t, 'name').kind).toBe('category');
    const ok = columnOf(t, 'ok');
    expect(ok.kind === 'numeric' && ok.dtype).toBe('bool');
  });

  it('LD1: a non-Parquet or truncated file is INVALID_ARGUMENT with an offset', async () => {
    const e = await caughtAsync(() => loadParquet(enc('definitely not parquet'), { name: 'x.parquet' }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.details).toMatchObject({ file: 'x.parquet', offset: 0 });
    const cut = pq().subarray(0, 40);
    expect((await caughtAsync(() => loadParquet(cut, { name: 'cut.parquet' }))).code).toBe('INVALID_ARGUMENT');
  });

  it('LD2: MAX_ROWS is checked from the footer before any page is read', async () => {
    expect((await loadParquet(pq(), { name: 'p.parquet', maxRows: 3 })).rowCount).toBe(3);
    expect((await caughtAsync(() => loadParquet(pq(), { name: 'p.parquet', maxRows: 2 }))).code).toBe('RESOURCE_EXHAUSTED');
  });
});

describe('IDX loader', () => {
  it('reads uint8 images and big-endian int32, gzip or not', () => {
    const img = idxBytes(0x08, [2, 2, 2], Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    const t = loadIdx(gzipSync(img), { name: 'i.gz', expectMagic: IDX_MAGIC_IMAGES });
    expect(t.shape).toEqual([2, 2, 2]);
    expect(t.dtype).toBe('uint8');
    const be = new Uint8Array(8);
    new DataView(be.buffer).setInt32(0, -2);
    new DataView(be.buffer).setInt32(4, 70000);
    expect(Array.from(loadIdx(idxBytes(0x0c, [2], be), { name: "i32" }).data as Int32Array)).toEqual([-2, 70000]);
  });

  it('LD4: a wrong magic number, wrong expected magic or wrong length is refused with an offset', () => {
    const bad = caught(() => loadIdx(Uint8Array.of(1, 2, 3, 4, 0, 0, 0, 0), { name: 'bad-idx1-ubyte' }));
    expect(bad.message).toMatch(/bad IDX magic number/);
    expect(bad.details).toMatchObject({ offset: 0 });
    const labels = idxBytes(0x08, [3], Uint8Array.of(1, 2, 3));
    expect(caught(() => loadIdx(labels, { name: 'l', expectMagic: IDX_MAGIC_IMAGES })).message).toMatch(/2049, expected 2051/);
    expect(caught(() => loadIdx(idxBytes(0x08, [4], Uint8Array.of(1, 2, 3)), { name: 'short' })).message).toMatch(/needs 12 bytes, but the file has 11/);
  });
});

describe('JSON loader', () => {
  it('reads records as a table and nested number arrays as a tensor', () => {
    const t = loadJson(enc('[{"a":1,"b":"x"},{"a":2.5,"c":true}]'), { name: 'r.json' }) as Table;
    expect(isTable(t)).toBe(true);
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    const m = loadJson(enc('[[1,2,3],[4,5,6]]'), { name: 'm.json' });
    expect(isTensor(m) && m.shape).toEqual([2, 3]);
  });

  it('LD1: bad JSON names the line; ragged arrays and non-numbers are refused', () => {
    const e = caught(() => loadJson(enc('[\n1,\n2,,\n3]'), { name: 'bad.json' }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/bad\.json/);
    expect(caught(() => loadJson(enc('[[1,2],[3]]'), { name: 'rag.json' })).message).toMatch(/not rectangular/);
    expect(caught(() => loadJson(enc('[1,"x"]'), { name: 's.json' })).message).toMatch(/expected a number/);
    expect(caught(() => loadJson(enc('{"a":1}'), { name: 'o.json' })).message).toMatch(/JSON array/);
  });
});

describe('loadFile', () => {
  it('picks the loader from the name and reads the shipped demo files', async () => {
    const adult = (await loadFile(new Uint8Array(readFileSync('examples/data/adult-4000.csv.gz')), { name: 'adult-4000.csv.gz' })) as Table;
    expect(adult.rowCount).toBe(4000);
    expect(adult.columns.length).toBe(15);
    const sex = columnOf(adult, 'sex');
    expect(sex.kind === 'category' && sex.levels).toEqual(['Female', 'Male']);
    const img = await loadFile(new Uint8Array(readFileSync('examples/data/mnist-1280-images-idx3-ubyte.gz')), { name: 'mnist-1280-images-idx3-ubyte.gz' });
    expect(isTensor(img) && img.shape).toEqual([1280, 28, 28]);
    expect((await caughtAsync(() => loadFile(enc('x'), { name: 'notes.docx' }))).message).toMatch(/type is unknown/);
  });
});
