import { isDuetError } from '../errors';
import { dpCost, dpRelease, type DpOptions, type DpQuery, type DpResult } from '../privacy/dp/queries';
import type { BudgetLedger } from '../privacy/dp/ledger';
import type { AuditLog } from './audit';

// DP queries as the DO's session runs them: the budget the DO set is the policy (no click
// needed), the spend is charged before the release, and both spends and refusals are audited.

export function auditedDpQuery(
  ledger: BudgetLedger,
  audit: AuditLog,
  scientist: string,
  assets: readonly string[],
  query: DpQuery,
  values: ArrayLike<number>,
  opts: DpOptions,
): DpResult {
  const cost = dpCost(query, opts);
  try {
    ledger.charge(scientist, assets, cost);
  } catch (e) {
    audit.append({ type: 'dp_refused', scientist, assets: [...assets], query: query.kind, epsilon: cost.epsilon, delta: cost.delta, reason: isDuetError(e) ? (e.reason ?? e.code) : 'UNKNOWN' });
    throw e;
  }
  audit.append({ type: 'dp_spend', scientist, assets: [...assets], query: query.kind, mechanism: cost.mechanism, epsilon: cost.epsilon, delta: cost.delta });
  return dpRelease(query, values, opts);
}
