import { ARRAY_OF } from '../../tensor';
import { parseError } from './options';
import type { Column, NumericColumnDType } from './table';

/**
 * A numeric column from decoded cells (numbers, bigints, booleans, null for missing). A gap
 * forces float64 so it can be NaN, and 64-bit integers must fit a double exactly.
 */
export function numericColumn(name: string, dtype: NumericColumnDType, n: number, cell: (i: number) => unknown, file: string): Column {
  const out = new ARRAY_OF[dtype](n);
  for (let i = 0; i < n; i++) {
    const v = cell(i);
    if (v === null || v === undefined) out[i] = NaN;
    else if (typeof v === 'bigint') {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw parseError(file, `column "${name}" row ${i} holds ${v}, which a float64 cannot hold exactly.`);
      }
      out[i] = Number(v);
    } else out[i] = Number(v);
  }
  return { kind: 'numeric', name, dtype, values: out } as Column;
}
