import { create } from '@bufbuild/protobuf';
import { isDType } from '../tensor';
import type { BudgetStatus } from '../privacy/dp/ledger';
import {
  BudgetInfoSchema,
  RequestStatus as RequestStatusMsg,
  type AssetInfo as AssetInfoMsg,
  type BudgetInfo as BudgetInfoMsg,
  type ColumnInfo,
  type Domain,
  type DpQueryResponse,
  type RequestInfo as RequestInfoMsg,
  type ValueInfo,
} from '../wire/gen/duet/v1/datascience_pb';
import type { ColumnSchema, NumericColumnDType } from './data/table';
import type { ColumnDomain } from './domain';
import { lineageFromProto } from './plan/codec';
import type { Lineage, ValueType } from './plan/types';
import type { RequestStatus } from './requests';

// What a data scientist is told, as plain objects (the wire forms are protobuf messages).
// Every field here is metadata: the DO decided it may be seen. Values only ever arrive through
// an approved request or a DP release.

export interface ListedColumnView {
  readonly name: string;
  readonly kind: string;
  readonly dtype?: string;
  readonly domain?: ColumnDomain;
}

/** One asset in `duet.store.list()`. */
export interface AssetView {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly kind: 'table' | 'tensor';
  readonly columns?: readonly ListedColumnView[];
  readonly dtype?: string;
  readonly shape?: readonly number[];
  readonly domain?: ColumnDomain;
  readonly rows: number;
  readonly mock: boolean;
}

/** A remote value the DO holds for us: its pointer id, inferred type and lineage. */
export interface PointerView {
  readonly pointerId: string;
  readonly type: ValueType;
  readonly lineage: Lineage;
  readonly elementsProcessed: number;
}

/** A request as the DS sees it (never the DO's preview). */
export interface RequestView {
  readonly id: string;
  readonly pointerId: string;
  readonly reason: string;
  readonly status: RequestStatus;
  /** 'owner', 'policy:<id>' or 'timeout' once decided. */
  readonly decidedBy: string;
  /** The DO's message with the decision. */
  readonly message: string;
  readonly elements: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly lineage: Lineage;
  readonly type: ValueType | undefined;
}

/** A DS's budget on one asset. */
export interface BudgetView {
  readonly assetId: string;
  readonly epsilon: number;
  readonly delta: number;
  readonly composition: string;
  readonly spent: { readonly epsilon: number; readonly delta: number };
  readonly remaining: { readonly epsilon: number; readonly delta: number };
  readonly queries: number;
}

/** A value crossing the tensor path, for progress bars on both sides. */
export interface TransferView {
  readonly id: string;
  readonly label: string;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly state: 'running' | 'done' | 'failed';
  readonly error?: string;
  /** The path and codec chosen for it, and why: both sides show these. */
  readonly path?: string;
  readonly codec?: string;
  readonly reason?: string;
}

/** A differentially private answer. */
export interface DpRelease {
  readonly query: string;
  /** The one number (count, sum, mean), or undefined for a histogram. */
  readonly value: number | undefined;
  /** One number per bin for a histogram, else the one number. */
  readonly values: readonly number[];
  readonly epsilon: number;
  readonly delta: number;
  readonly mechanism: string;
  /** The noise scale (Laplace b or Gaussian σ) in the query's units. */
  readonly scale: number;
  /** What is left of the budget on this asset after this query. */
  readonly remaining: { readonly epsilon: number; readonly delta: number };
}

function domainFromProto(d: Domain | undefined): ColumnDomain | undefined {
  if (d === undefined) return undefined;
  return { ...(d.min !== undefined ? { min: d.min } : {}), ...(d.max !== undefined ? { max: d.max } : {}), ...(d.levels.length > 0 ? { levels: [...d.levels] } : {}) };
}

function columnFromProto(c: ColumnInfo): ListedColumnView {
  const domain = domainFromProto(c.domain);
  return { name: c.name, kind: c.kind, ...(c.dtype !== '' ? { dtype: c.dtype } : {}), ...(domain ? { domain } : {}) };
}

export function assetFromProto(a: AssetInfoMsg): AssetView {
  const domain = domainFromProto(a.domain);
  const base = { id: a.id, name: a.name, description: a.description, tags: [...a.tags], rows: Number(a.rowCount), mock: a.mockAvailable };
  if (a.kind === 'tensor') return { ...base, kind: 'tensor', dtype: a.dtype, shape: a.shape.map(Number), ...(domain ? { domain } : {}) };
  return { ...base, kind: 'table', columns: a.columns.map(columnFromProto) };
}

export function valueTypeFromProto(v: ValueInfo | undefined): ValueType | undefined {
  if (v === undefined) return undefined;
  switch (v.kind) {
    case 'tensor':
      return isDType(v.dtype) ? { kind: 'tensor', dtype: v.dtype, shape: v.shape.map(Number), exact: v.exact } : undefined;
    case 'table':
      return {
        kind: 'table',
        rows: Number(v.rows),
        exact: v.exact,
        columns: v.columns.map((c): ColumnSchema => ({ name: c.name, kind: c.kind as ColumnSchema['kind'], ...(c.dtype !== '' ? { dtype: c.dtype as NumericColumnDType } : {}) })),
      };
    case 'text':
      return { kind: 'text', length: Number(v.rows), exact: v.exact };
    case 'string':
      return { kind: 'string' };
    default:
      return undefined;
  }
}

const STATUS: Record<RequestStatusMsg, RequestStatus> = {
  [RequestStatusMsg.UNSPECIFIED]: 'pending',
  [RequestStatusMsg.PENDING]: 'pending',
  [RequestStatusMsg.APPROVED]: 'approved',
  [RequestStatusMsg.DENIED]: 'denied',
  [RequestStatusMsg.EXPIRED]: 'expired',
  [RequestStatusMsg.CANCELLED]: 'cancelled',
};

export function requestFromProto(r: RequestInfoMsg): RequestView {
  return {
    id: r.id,
    pointerId: r.pointerId,
    reason: r.reason,
    status: STATUS[r.status] ?? 'pending',
    decidedBy: r.decidedBy,
    message: r.message,
    elements: Number(r.elements),
    createdAt: Number(r.createdAtMs),
    expiresAt: Number(r.expiresAtMs),
    lineage: r.lineage ? lineageFromProto(r.lineage) : { assets: [], pointers: [], ops: [] },
    type: valueTypeFromProto(r.info),
  };
}

export function budgetToProto(assetId: string, s: BudgetStatus): BudgetInfoMsg {
  return create(BudgetInfoSchema, {
    assetId,
    epsilon: s.budget.epsilon,
    delta: s.budget.delta,
    composition: s.budget.composition ?? 'basic',
    spentEpsilon: s.spent.epsilon,
    spentDelta: s.spent.delta,
    remainingEpsilon: s.remaining.epsilon,
    remainingDelta: s.remaining.delta,
    queries: s.queries,
  });
}

export function budgetFromProto(b: BudgetInfoMsg): BudgetView {
  return {
    assetId: b.assetId,
    epsilon: b.epsilon,
    delta: b.delta,
    composition: b.composition,
    spent: { epsilon: b.spentEpsilon, delta: b.spentDelta },
    remaining: { epsilon: b.remainingEpsilon, delta: b.remainingDelta },
    queries: b.queries,
  };
}

export function dpReleaseFromProto(query: string, r: DpQueryResponse): DpRelease {
  return {
    query,
    value: query === 'histogram' ? undefined : r.values[0],
    values: [...r.values],
    epsilon: r.epsilon,
    delta: r.delta,
    mechanism: r.mechanism,
    scale: r.scale,
    remaining: { epsilon: r.remainingEpsilon, delta: r.remainingDelta },
  };
}
