import { defineEvent, defineMethod } from '../transport/rpc-types';
import {
  BudgetUpdateSchema,
  CancelRequestRequestSchema,
  CancelRequestResponseSchema,
  DeletePointerRequestSchema,
  DeletePointerResponseSchema,
  DpQueryRequestSchema,
  DpQueryResponseSchema,
  GetMockRequestSchema,
  GetMockResponseSchema,
  GetValueRequestSchema,
  GetValueResponseSchema,
  ListAssetsRequestSchema,
  ListAssetsResponseSchema,
  ListBudgetsRequestSchema,
  ListBudgetsResponseSchema,
  RequestUpdateSchema,
  RunPlanRequestSchema,
  RunPlanResponseSchema,
  StoreUpdateSchema,
} from '../wire/gen/duet/v1/datascience_pb';

// The data-science methods on the control channel. The DS calls them; the DO serves them
// (src/duet/owner.ts) and pushes the events. Payloads are in datascience.proto.

export const ListAssets = defineMethod('duet.ds.list', ListAssetsRequestSchema, ListAssetsResponseSchema);
export const GetMock = defineMethod('duet.ds.mock', GetMockRequestSchema, GetMockResponseSchema);
export const RunPlan = defineMethod('duet.ds.run', RunPlanRequestSchema, RunPlanResponseSchema);
export const DeletePointer = defineMethod('duet.ds.delete', DeletePointerRequestSchema, DeletePointerResponseSchema);
export const RequestValue = defineMethod('duet.ds.get', GetValueRequestSchema, GetValueResponseSchema);
export const CancelRequest = defineMethod('duet.ds.cancel', CancelRequestRequestSchema, CancelRequestResponseSchema);
export const DpQuery = defineMethod('duet.ds.dp', DpQueryRequestSchema, DpQueryResponseSchema);
export const ListBudgets = defineMethod('duet.ds.budget', ListBudgetsRequestSchema, ListBudgetsResponseSchema);

export const RequestUpdateEvent = defineEvent('duet.ds.request_update', RequestUpdateSchema);
export const BudgetUpdateEvent = defineEvent('duet.ds.budget_update', BudgetUpdateSchema);
export const StoreUpdateEvent = defineEvent('duet.ds.store_update', StoreUpdateSchema);
