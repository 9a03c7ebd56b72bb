import Papa from 'papaparse';
import { enforceLimit } from '../../limits';
import { maybeGunzip, decodeUtf8 } from './bytes';
import { inferColumn, type Cell } from './infer';
import { checkShapeLimits, parseError, resolveLoadLimits, type LoadOptions } from './options';
import { table, type Table } from './table';

// papaparse: the most used CSV parser on npm, kept up, no dependencies, the same code in
// browsers and Node. It handles RFC 4180 quoting (delimiters and newlines inside quotes,
// doubled quotes) that a hand-rolled split gets wrong, and its step mode hands us one row at a
// time with a cursor, so we can stop at MAX_ROWS early and name the line of a bad row.

export interface CsvOptions extends LoadOptions {
  /** Defaults to a tab for .tsv/.tab names, a comma otherwise. */
  delimiter?: string;
  /** The first row names the columns (default true); otherwise columns are c0, c1, ... */
  header?: boolean;
}

export function loadCsv(bytes: Uint8Array, opts: CsvOptions): Table {
  const file = opts.name;
  const limits = resolveLoadLimits(opts);
  const text = decodeUtf8(maybeGunzip(bytes, file, limits), file).replace(/^\uFEFF/, '');
  const delimiter = opts.delimiter ?? (/\.(tsv|tab)(\.gz)?$/i.test(file) ? '\t' : ',');
  const useHeader = opts.header ?? true;

  const rows: string[][] = [];
  let names: string[] | undefined;
  let failure: Error | undefined;
  let line = 1; // the line the next row starts on
  let lastCursor = 0;

  const onRow = (row: string[], startLine: number): void => {
    if (names === undefined) {
      if (useHeader) {
        const header = row.map((n) => n.trim());
        const dup = header.find((n, i) => header.indexOf(n) !== i);
        if (dup !== undefined) throw parseError(file, `the header names column "${dup}" twice.`, { line: startLine });
        if (header.some((n) => n === '')) throw parseError(file, 'the header has an empty column name.', { line: startLine });
        checkShapeLimits(limits, file, 0, header.length);
        names = header;
        return;
      }
      checkShapeLimits(limits, file, 0, row.length);
      names = row.map((_, i) => `c${i}`);
    }
    if (row.length !== names.length) throw parseError(file, `expected ${names.length} fields, found ${row.length}.`, { line: startLine });
    enforceLimit('MAX_ROWS', rows.length + 1, limits.maxRows, `The number of rows in ${file}`);
    rows.push(row);
  };

  Papa.parse<string[]>(text, {
    delimiter,
    header: false,
    skipEmptyLines: 'greedy',
    step: (result, parser) => {
      const startLine = line;
      const cursor = result.meta.cursor;
      for (let i = lastCursor; i < cursor; i++) if (text.charCodeAt(i) === 10) line++;
      lastCursor = cursor;
      try {
        const err = result.errors[0];
        if (err !== undefined) throw parseError(file, `${err.message}.`, { line: startLine });
        onRow(result.data, startLine);
      } catch (e) {
        failure = e as Error;
        parser.abort();
      }
    },
  });
  if (failure !== undefined) throw failure;
  if (names === undefined) throw parseError(file, 'the file is empty (no header row).');
  checkShapeLimits(limits, file, rows.length, names.length);
  return table(names.map((n, j) => inferColumn(n, rows.map((r) => r[j] as Cell))));
}
