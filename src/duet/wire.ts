import { create } from '@bufbuild/protobuf';
import { DuetError } from '../errors';
import type { DpOptions, DpQuery, DpResult } from '../privacy/dp/queries';
import type { BudgetStatus } from '../privacy/dp/ledger';
import {
  AssetInfoSchema,
  DpQueryResponseSchema,
  RequestInfoSchema,
  RequestStatus as RequestStatusMsg,
  ValueInfoSchema,
  type AssetInfo,
  type ColumnInfo,
  type DpQueryRequest,
  type DpQueryResponse,
  type Domain,
  type RequestInfo as RequestInfoMsg,
  type ValueInfo,
} from '../wire/gen/duet/v1/datascience_pb';
import type { ColumnSchema } from './data/table';
import type { ColumnDomain } from './domain';
import { lineageToProto } from './plan/codec';
import type { ValueType } from './plan/types';
import type { RequestInfo, RequestStatus } from './requests';
import type { AssetMeta, ListedColumn, Store } from './store';

// Conversions between the data-science types and their wire forms (datascience.proto).
// Outbound conversions are total; inbound ones (DS -> DO) are checked, since a DS is untrusted.

function domainToProto(d: ColumnDomain | undefined): Domain | undefined {
  if (d === undefined) return undefined;
  return { $typeName: 'duet.v1.Domain', levels: [...(d.levels ?? [])], ...(d.min !== undefined ? { min: d.min } : {}), ...(d.max !== undefined ? { max: d.max } : {}) };
}

function columnToProto(c: ListedColumn | ColumnSchema): ColumnInfo {
  const domain = 'domain' in c ? domainToProto(c.domain) : undefined;
  return { $typeName: 'duet.v1.ColumnInfo', name: c.name, kind: c.kind, dtype: c.dtype ?? '', ...(domain ? { domain } : {}) };
}

export function assetInfoToProto(m: AssetMeta): AssetInfo {
  const domain = domainToProto(m.domain);
  return create(AssetInfoSchema, {
    id: m.id,
    name: m.name,
    description: m.description,
    tags: [...m.tags],
    kind: m.kind,
    columns: (m.schema ?? []).map(columnToProto),
    dtype: m.dtype ?? '',
    shape: (m.shape ?? []).map(BigInt),
    ...(domain ? { domain } : {}),
    rowCount: BigInt(m.rowCount),
    mockAvailable: m.mockAvailable,
  });
}

export function valueInfoToProto(t: ValueType): ValueInfo {
  switch (t.kind) {
    case 'tensor':
      return create(ValueInfoSchema, { kind: 'tensor', dtype: t.dtype, shape: t.shape.map(BigInt), exact: t.exact });
    case 'table':
      return create(ValueInfoSchema, { kind: 'table', columns: t.columns.map(columnToProto), rows: BigInt(t.rows), exact: t.exact });
    case 'text':
      return create(ValueInfoSchema, { kind: 'text', rows: BigInt(t.length), exact: t.exact });
    case 'string':
      return create(ValueInfoSchema, { kind: 'string', exact: true });
  }
}

const STATUS: Record<RequestStatus, RequestStatusMsg> = {
  pending: RequestStatusMsg.PENDING,
  approved: RequestStatusMsg.APPROVED,
  denied: RequestStatusMsg.DENIED,
  expired: RequestStatusMsg.EXPIRED,
  cancelled: RequestStatusMsg.CANCELLED,
};

/** A request as the DS may see it: never the DO's preview. */
export function requestInfoToProto(r: RequestInfo): RequestInfoMsg {
  return create(RequestInfoSchema, {
    id: r.id,
    pointerId: r.pointerId,
    reason: r.reason,
    lineage: lineageToProto(r.lineage),
    info: valueInfoToProto(r.type),
    elements: BigInt(r.elements),
    createdAtMs: BigInt(r.createdAt),
    expiresAtMs: BigInt(r.expiresAt),
    status: STATUS[r.status],
    decidedBy: r.decision?.by ?? '',
    message: r.decision?.message ?? '',
  });
}

const badQuery = (why: string) => new DuetError('INVALID_ARGUMENT', `Bad DP query: ${why}.`, { reason: 'BAD_DP_QUERY' });

/**
 * Turns a DS's DP query into a query and options. Missing bounds (or histogram range) come from
 * the declared domain of `bounds_column` on the asset the pointer derives from; with neither,
 * the query is refused, since bounds read off the data would leak it.
 */
export function dpQueryFromProto(msg: DpQueryRequest, store: Store, asset: string): { query: DpQuery; opts: DpOptions } {
  const opts: DpOptions = { epsilon: msg.epsilon, ...(msg.delta > 0 ? { delta: msg.delta } : {}), ...(msg.mechanism !== '' ? { mechanism: msg.mechanism } : {}) };
  const declared = (): [number, number] => {
    if (msg.boundsColumn === '') throw badQuery('give bounds, or bounds_column to use the declared domain');
    const d = store.domains(asset)[msg.boundsColumn];
    if (d?.min === undefined || d.max === undefined) throw badQuery(`column "${msg.boundsColumn}" of "${asset}" has no declared range`);
    return [d.min, d.max];
  };
  switch (msg.query) {
    case 'count':
      return { query: { kind: 'count' }, opts };
    case 'sum':
    case 'mean': {
      const bounds: [number, number] = msg.lower !== undefined && msg.upper !== undefined ? [msg.lower, msg.upper] : declared();
      return { query: { kind: msg.query, bounds }, opts };
    }
    case 'histogram': {
      const range: [number, number] = msg.rangeLo !== undefined && msg.rangeHi !== undefined ? [msg.rangeLo, msg.rangeHi] : declared();
      return { query: { kind: 'histogram', bins: msg.bins, range }, opts };
    }
    default:
      throw badQuery(`unknown query "${msg.query}"; use count, sum, mean or histogram`);
  }
}

export function dpResultToProto(r: DpResult, status: BudgetStatus | undefined): DpQueryResponse {
  return create(DpQueryResponseSchema, {
    values: [...r.values],
    epsilon: r.cost.epsilon,
    delta: r.cost.delta,
    mechanism: r.cost.mechanism,
    scale: r.scale,
    remainingEpsilon: status?.remaining.epsilon ?? 0,
    remainingDelta: status?.remaining.delta ?? 0,
  });
}
