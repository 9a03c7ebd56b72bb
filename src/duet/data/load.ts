import type { Tensor } from '../../tensor';
import { loadArrow } from './arrow';
import { loadCsv, type CsvOptions } from './csv';
import { loadIdx } from './idx';
import { loadJson } from './json';
import { parseError } from './options';
import { loadParquet } from './parquet';
import type { Table } from './table';

export type FileFormat = 'csv' | 'tsv' | 'arrow' | 'parquet' | 'idx' | 'json';

/** The format a file name implies (a trailing .gz is ignored), or undefined. */
export function formatOf(name: string): FileFormat | undefined {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  if (n.endsWith('.csv')) return 'csv';
  if (n.endsWith('.tsv') || n.endsWith('.tab')) return 'tsv';
  if (n.endsWith('.arrow') || n.endsWith('.feather') || n.endsWith('.arrows') || n.endsWith('.ipc')) return 'arrow';
  if (n.endsWith('.parquet') || n.endsWith('.pq')) return 'parquet';
  if (/idx\d-ubyte$/.test(n) || n.endsWith('.idx')) return 'idx';
  if (n.endsWith('.json')) return 'json';
  return undefined;
}

/** Loads a file from its bytes, picking the loader from its name (or `format`). */
export async function loadFile(bytes: Uint8Array, opts: CsvOptions & { format?: FileFormat }): Promise<Table | Tensor> {
  const format = opts.format ?? formatOf(opts.name);
  switch (format) {
    case 'csv':
      return loadCsv(bytes, opts);
    case 'tsv':
      return loadCsv(bytes, { delimiter: '\t', ...opts });
    case 'arrow':
      return loadArrow(bytes, opts);
    case 'parquet':
      return loadParquet(bytes, opts);
    case 'idx':
      return loadIdx(bytes, opts);
    case 'json':
      return loadJson(bytes, opts);
    default:
      throw parseError(opts.name, 'its type is unknown; name it .csv, .tsv, .arrow, .parquet, .json or *-idxN-ubyte (optionally .gz).');
  }
}
