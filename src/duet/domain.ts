import { float16ToFloat32, isTensor, type Tensor } from '../tensor';
import type { Table } from './data/table';

// A domain is public knowledge about a value's range: numbers' [min, max], a category's levels.
// The DO declares it (or lets it be inferred). It is shown in the listing, bounds mock data,
// and is the clamping range from which DP sensitivity is derived.

export interface ValueDomain {
  readonly min?: number;
  readonly max?: number;
}

export interface ColumnDomain extends ValueDomain {
  readonly levels?: readonly string[];
}

/** min and max of the present (non-NaN) values, or {} when there are none. */
export function rangeOf(values: ArrayLike<number | bigint>): ValueDomain {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : {};
}

/** Derives domains from the data itself: only for data whose ranges and levels are not secret. */
export function inferDomains(value: Table | Tensor): Record<string, ColumnDomain> {
  if (isTensor(value)) return { '': rangeOf(value.dtype === 'float16' ? float16ToFloat32(value.data as Uint16Array) : value.data) };
  const out: Record<string, ColumnDomain> = {};
  for (const c of value.columns) {
    if (c.kind === 'numeric') out[c.name] = rangeOf(c.values);
    else if (c.kind === 'category') out[c.name] = { levels: c.levels };
  }
  return out;
}
