import { describe, expect, it } from 'vitest';
import { CellSyntaxError, compileCell } from '../../src/app/notebook/compile';
import { fromJson, fromMarkdown, importNotebook, loadCells, MAX_CELLS, saveCells, toJson, toMarkdown, type CellSource } from '../../src/app/notebook/format';
import { EXAMPLE_CELLS, exampleNotebook } from '../../src/app/notebook/example';
import { images, toArray, toRows } from '../../src/app/notebook/helpers';
import { table, encodeCategory } from '../../src/duet/data/table';
import { tensor } from '../../src/tensor';
import { thrown } from './ds-helpers';

async function runAll(sources: string[], scope: Record<string, unknown> = {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const s of sources) out.push(await compileCell(s).run(scope));
  return out;
}

describe('notebook cells', () => {
  it('NB1: cells run async TypeScript; top-level declarations are visible to later cells; the last expression is the value', async () => {
    const scope: Record<string, unknown> = { duet: { answer: async () => 42 } };
    const out = await runAll(
      [
        'const x: number = await duet.answer();\ninterface Unused { a: string }\nx',
        'let { a, b: [c] } = { a: 1, b: [2] };\nfunction twice(n: number): number { return 2 * n }\nclass Box { constructor(public v: number) {} }',
        'const total = twice(x) + a + c;\nnew Box(total).v',
        'Math.max(total, 1)', // globals still resolve
        'const nothing = 1;', // no expression: no value
        'x = 7; twice(x)', // plain assignments update the namespace
      ],
      scope,
    );
    expect(out).toEqual([42, undefined, 87, 87, undefined, 14]);
    expect(scope['total']).toBe(87);
    expect(Object.keys(scope)).toEqual(expect.arrayContaining(['x', 'a', 'c', 'twice', 'Box', 'total', 'nothing']));
  });

  it('NB1: a syntax error or an import names the problem and runs nothing', async () => {
    expect(() => compileCell('const = 3')).toThrow(CellSyntaxError);
    expect(() => compileCell("import fs from 'fs'")).toThrow(/import/);
    const scope: Record<string, unknown> = {};
    await expect(compileCell('throw new TypeError("bad")').run(scope)).rejects.toThrow('bad');
  });

  it('NB2: output helpers turn values into what charts and images take', () => {
    expect(toArray(tensor('int32', [3], Int32Array.of(1, 2, 3)))).toEqual([1, 2, 3]);
    expect(toArray(encodeCategory('s', ['a', null]))).toEqual(['a', null]);
    const t = table([{ kind: 'numeric', name: 'n', dtype: 'float64', values: Float64Array.of(1.5, 2) }, encodeCategory('s', ['x', 'y'])]);
    expect(toRows(t)).toEqual([{ n: 1.5, s: 'x' }, { n: 2, s: 'y' }]);
    const img = images(tensor('uint8', [2, 2, 2]), { labels: tensor('uint8', [2], Uint8Array.of(7, 3)) });
    expect(img.labels).toEqual([7, 3]);
    expect(() => images(tensor('uint8', [8]))).toThrow(/shape/);
    expect(() => toRows([1])).toThrow(/table/);
  });
});

describe('notebook files', () => {
  const cells: CellSource[] = [
    { id: 'a', code: 'const x = 1;\nx' },
    { id: 'b', code: '// fenced\nconst md = "```ts\\ninner\\n```";\nmd' },
  ];

  it('NB5: export to JSON and Markdown and import back, cell for cell', () => {
    expect(fromJson(toJson(cells)).map((c) => c.code)).toEqual(cells.map((c) => c.code));
    const md = toMarkdown(cells);
    expect(md).toMatch(/^# Duet notebook\n/);
    expect(fromMarkdown(md).map((c) => c.code)).toEqual(cells.map((c) => c.code));
    expect(importNotebook('n.md', md).length).toBe(2);
    expect(importNotebook('n.json', toJson(cells)).length).toBe(2);
    // Prose between blocks is ignored; non-JS blocks are not cells.
    expect(fromMarkdown('# T\n\nsome text\n\n```js\n1 + 1\n```\n\n```python\nprint(1)\n```\n').map((c) => c.code)).toEqual(['1 + 1']);
  });

  it('NB5: a file that is not a notebook is refused with PARSE_ERROR', () => {
    for (const [name, text] of [
      ['x.json', '{"cells": 3}'],
      ['x.json', 'not json {'],
      ['x.md', 'no code here'],
      ['x.md', '```ts\nunclosed'],
      ['x.json', JSON.stringify({ format: 'duet-notebook/1', cells: [{ code: 1 }] })],
      ['x.json', JSON.stringify({ format: 'duet-notebook/1', cells: Array.from({ length: MAX_CELLS + 1 }, () => ({ code: '' })) })],
    ] as const) {
      const e = thrown(() => importNotebook(name, text));
      expect([e.code, e.reason], name + text.slice(0, 20)).toEqual(['INVALID_ARGUMENT', 'PARSE_ERROR']);
    }
  });

  it('NB4: cells are saved to and restored from the browser storage; a broken entry is ignored', () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    expect(loadCells(storage)).toBeUndefined();
    saveCells(storage, cells);
    expect(loadCells(storage)?.map((c) => c.code)).toEqual(cells.map((c) => c.code));
    mem.set([...mem.keys()][0]!, '{broken');
    expect(loadCells(storage)).toBeUndefined();
    saveCells({ setItem: () => { throw new Error('quota'); } }, cells); // a full storage does not break the notebook
  });

  it('NB6: the example notebook compiles, cell by cell', () => {
    expect(exampleNotebook().map((c) => c.code)).toEqual(EXAMPLE_CELLS);
    for (const code of EXAMPLE_CELLS) expect(() => compileCell(code)).not.toThrow();
    expect(EXAMPLE_CELLS.join('\n')).toMatch(/getDP\(\{ epsilon: 0\.5 \}\)[\s\S]*histogram[\s\S]*mnist-test-images[\s\S]*epsilon: 0\.8/);
  });
});
