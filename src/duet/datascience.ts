// The data-science layer's public surface, for the session layer and the app to import from.
// Everything here is pure (no network, no timers) and runs unchanged in browsers and Node.

export * from './constants';
export * from './data';
export { Store, TENSOR_DOMAIN_KEY } from './store';
export type { AssetMeta, AssetValue, AddAssetInput, ListedColumn } from './store';
export type { ValueDomain, ColumnDomain } from './domain';
export { inferDomains } from './domain';
export { makeMock } from './mock';
export type { MockOptions } from './mock';
export { loadDemoAssets, DEMO_FILES, MNIST_DEMO_SPLIT } from './demo';
export type { ReadDemoFile } from './demo';
export { PointerTable, newPointerId } from './pointers';
export type { PointerInfo } from './pointers';
export { planContext } from './context';
export type { PlanContextOptions } from './context';
export * from './plan';
export { RequestQueue } from './requests';
export type { RequestInfo, RequestOutcome, RequestStatus, OwnerRequestView, SubmitInput, RequestQueueOptions, Decision } from './requests';
export { PolicySet, describePolicy } from './policies';
export type { Policy, PolicyInput, PolicyMatch, PolicySubject } from './policies';
export { AuditLog } from './audit';
export type { AuditEntry, AuditEvent } from './audit';
export { previewOf } from './preview';
export type { Preview } from './preview';
export { auditedDpQuery, setAuditedBudget, rowLevelValues, ROW_LEVEL_OPS } from './dp';
export type { DpInput } from './dp';
export { assetInfoToProto, valueInfoToProto, requestInfoToProto, dpQueryFromProto, dpResultToProto } from './wire';
