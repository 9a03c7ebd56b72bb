import { DuetError } from '../errors';
import { isTensor, type DType, type Tensor } from '../tensor';
import { isTable, schemaOf, type ColumnSchema, type Table } from './data/table';
import { makeMock, type MockOptions } from './mock';
import { inferDomains, type ColumnDomain, type ValueDomain } from './domain';

// The DO's store of assets. Values never leave it through this module: `listing()` gives
// metadata only, and the one value-shaped thing a DS may see is a synthetic mock, generated from
// the public schema and the domains the DO declared, never from real rows.

export type AssetValue = Table | Tensor;

export interface AssetMeta {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly kind: 'table' | 'tensor';
  /** Tables: the columns (category levels only where the DO made that domain public). */
  readonly schema?: readonly ListedColumn[];
  /** Tensors: dtype, shape and the declared value range. */
  readonly dtype?: DType;
  readonly shape?: readonly number[];
  readonly domain?: ValueDomain;
  readonly rowCount: number;
  /** Whether a DS may fetch the synthetic mock sample. */
  readonly mockAvailable: boolean;
}

export interface ListedColumn {
  readonly name: string;
  readonly kind: ColumnSchema['kind'];
  readonly dtype?: ColumnSchema['dtype'];
  /** Public domain of the column (declared by the DO): range for numbers, levels for categories. */
  readonly domain?: ColumnDomain;
}

export interface AddAssetInput {
  /** Defaults to a slug of the name, made unique. */
  id?: string;
  name: string;
  description?: string;
  tags?: readonly string[];
  value: AssetValue;
  /**
   * Public domains the DO declares: per column for tables, one for a tensor. They are shown in
   * the listing, bound mocks, and serve as the DP clamping bounds. 'infer' derives them from
   * the data (min/max, distinct levels): only for data whose ranges are not themselves secret.
   */
  domains?: Readonly<Record<string, ColumnDomain>> | ValueDomain | 'infer';
  /** Offer the DS a synthetic mock (default false: private by default). */
  mock?: boolean | MockOptions;
}

interface Entry {
  meta: AssetMeta;
  value: AssetValue;
  mock: AssetValue | undefined;
  domains: Readonly<Record<string, ColumnDomain>>;
}

/** The key tensors use in the domain map: a tensor has one domain. */
export const TENSOR_DOMAIN_KEY = '';

export class Store {
  readonly #entries = new Map<string, Entry>();

  add(input: AddAssetInput): AssetMeta {
    const { value } = input;
    if (!isTable(value) && !isTensor(value)) {
      throw new DuetError('INVALID_ARGUMENT', `Asset "${input.name}" must be a Table or a Tensor.`, { reason: 'BAD_ASSET' });
    }
    const id = input.id ?? this.#freshId(input.name);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) {
      throw new DuetError('INVALID_ARGUMENT', `Asset id "${id}" must be 1-128 letters, digits, '.', '_' or '-'.`, { reason: 'BAD_ASSET' });
    }
    if (this.#entries.has(id)) throw new DuetError('ALREADY_EXISTS', `An asset with id "${id}" already exists.`, { details: { asset: id } });
    const domains = resolveDomains(value, input.domains);
    const base = {
      id,
      name: input.name,
      description: input.description ?? '',
      tags: Object.freeze([...(input.tags ?? [])]),
    };
    let meta: AssetMeta;
    if (isTable(value)) {
      const schema = schemaOf(value).map((c): ListedColumn => {
        const d = domains[c.name];
        return { name: c.name, kind: c.kind, ...(c.dtype ? { dtype: c.dtype } : {}), ...(d ? { domain: d } : {}) };
      });
      meta = { ...base, kind: 'table', schema, rowCount: value.rowCount, mockAvailable: input.mock !== undefined && input.mock !== false };
    } else {
      const d = domains[TENSOR_DOMAIN_KEY];
      meta = {
        ...base,
        kind: 'tensor',
        dtype: value.dtype,
        shape: value.shape,
        ...(d ? { domain: d } : {}),
        rowCount: value.shape[0] ?? 1,
        mockAvailable: input.mock !== undefined && input.mock !== false,
      };
    }
    const mock = meta.mockAvailable ? makeMock(meta, typeof input.mock === 'object' ? input.mock : {}) : undefined;
    this.#entries.set(id, { meta: Object.freeze(meta), value, mock, domains });
    return meta;
  }

  /** Changes what the listing says of an asset (never its value or domains). */
  describe(id: string, changes: { name?: string; description?: string; tags?: readonly string[] }): AssetMeta {
    const e = this.#entry(id);
    e.meta = Object.freeze({
      ...e.meta,
      ...(changes.name !== undefined && changes.name.trim() !== '' ? { name: changes.name.trim() } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      ...(changes.tags !== undefined ? { tags: Object.freeze([...new Set(changes.tags.map((t) => t.trim()).filter(Boolean))]) } : {}),
    });
    return e.meta;
  }

  /** Offers (or withdraws) a synthetic mock of an asset; a new mock is generated from the listing. */
  setMock(id: string, mock: boolean | MockOptions): AssetMeta {
    const e = this.#entry(id);
    const on = mock !== false;
    e.meta = Object.freeze({ ...e.meta, mockAvailable: on });
    e.mock = on ? makeMock(e.meta, typeof mock === 'object' ? mock : {}) : undefined;
    return e.meta;
  }

  remove(id: string): void {
    this.#entry(id);
    this.#entries.delete(id);
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Metadata of every asset; never values. This is what a DS is sent. */
  listing(): AssetMeta[] {
    return [...this.#entries.values()].map((e) => e.meta);
  }

  meta(id: string): AssetMeta {
    return this.#entry(id).meta;
  }

  /** The real value: DO side only (plan evaluation). */
  value(id: string): AssetValue {
    return this.#entry(id).value;
  }

  /** The declared domains (DP clamping bounds); a tensor's is under TENSOR_DOMAIN_KEY. */
  domains(id: string): Readonly<Record<string, ColumnDomain>> {
    return this.#entry(id).domains;
  }

  /** The synthetic mock a DS may see; PERMISSION_DENIED when the DO did not offer one. */
  mock(id: string): AssetValue {
    const e = this.#entry(id);
    if (e.mock === undefined) {
      throw new DuetError('PERMISSION_DENIED', `Asset "${id}" has no mock sample; ask the data owner to offer one.`, {
        reason: 'NO_MOCK',
        details: { asset: id },
      });
    }
    return e.mock;
  }

  #entry(id: string): Entry {
    const e = this.#entries.get(id);
    if (e === undefined) throw new DuetError('NOT_FOUND', `No asset "${id}" in the store.`, { reason: 'NO_SUCH_ASSET', details: { asset: id } });
    return e;
  }

  #freshId(name: string): string {
    const slug = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'asset';
    let id = slug;
    for (let i = 2; this.#entries.has(id); i++) id = `${slug}-${i}`;
    return id;
  }
}

function resolveDomains(value: AssetValue, declared: AddAssetInput['domains']): Readonly<Record<string, ColumnDomain>> {
  if (declared === undefined) return {};
  if (declared === 'infer') return inferDomains(value);
  if (isTensor(value)) {
    const d = declared as ValueDomain;
    checkRange(TENSOR_DOMAIN_KEY, d);
    return { [TENSOR_DOMAIN_KEY]: d };
  }
  const out: Record<string, ColumnDomain> = {};
  for (const [name, d] of Object.entries(declared as Record<string, ColumnDomain>)) {
    const col = value.columns.find((c) => c.name === name);
    if (col === undefined) throw new DuetError('INVALID_ARGUMENT', `A domain names column "${name}", which the table does not have.`, { reason: 'BAD_DOMAIN' });
    if (col.kind === 'numeric' && d.levels !== undefined) throw new DuetError('INVALID_ARGUMENT', `Numeric column "${name}" takes a min/max domain, not levels.`, { reason: 'BAD_DOMAIN' });
    if (col.kind !== 'numeric' && (d.min !== undefined || d.max !== undefined)) {
      throw new DuetError('INVALID_ARGUMENT', `Text column "${name}" takes levels, not a min/max domain.`, { reason: 'BAD_DOMAIN' });
    }
    checkRange(name, d);
    out[name] = Object.freeze({ ...d });
  }
  return out;
}

function checkRange(name: string, d: ValueDomain): void {
  if (d.min !== undefined && d.max !== undefined && !(d.min <= d.max)) {
    throw new DuetError('INVALID_ARGUMENT', `Domain of "${name || 'the tensor'}" has min ${d.min} above max ${d.max}.`, { reason: 'BAD_DOMAIN' });
  }
}
