import { DuetError, isDuetError } from '../errors';
import { isTensor } from '../tensor';
import { dpCost, dpRelease, type DpOptions, type DpQuery, type DpResult } from '../privacy/dp/queries';
import type { Budget, BudgetLedger } from '../privacy/dp/ledger';
import type { AuditLog } from './audit';
import type { Lineage, PlanValue } from './plan/types';
import { asFloat64 } from './plan/values';

// DP queries as the DO's session runs them: the budget the DO set is the policy (no click
// needed), the spend is charged before the release, and spends and refusals are audited.
//
// The DP queries assume each record of an asset contributes exactly one element, so that
// adding or removing a record changes a count by 1 and a clamped sum by at most max(|lo|, |hi|).
// That holds only for 1-D values made from one asset by row-wise ops (each output row depends on
// one input row, and not on its position). A reduction, matmul, reshape or group-by in the
// lineage lets one record reach many elements (x - mean(x), filter(x > mean(x))). Positional
// inputs (slice, a constant vector, rows of a second asset) shift when a record is removed, so
// every later row can change. Such values are refused.

/** Ops that map each row to at most one row, depending on that row alone. */
export const ROW_LEVEL_OPS: ReadonlySet<string> = new Set([
  'add', 'sub', 'mul', 'div', 'pow', 'neg', 'abs', 'exp', 'log', 'sqrt', 'clip',
  'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'not',
  'column', 'select', 'filter',
]);

export interface DpInput {
  readonly value: PlanValue;
  readonly lineage: Lineage;
}

/** The values a DP query may read: a 1-D numeric tensor, one element per record, row-level lineage. */
export function rowLevelValues(input: DpInput): Float64Array {
  const bad = input.lineage.ops.filter((op) => !ROW_LEVEL_OPS.has(op));
  if (bad.length > 0) {
    throw new DuetError('FAILED_PRECONDITION', `A DP query needs one value per record, but this value was made with ${[...new Set(bad)].join(', ')}, which mix records.`, {
      reason: 'NOT_ROW_LEVEL',
      details: { ops: [...new Set(bad)].join(',') },
    });
  }
  if (!isTensor(input.value) || input.value.shape.length !== 1) {
    throw new DuetError('FAILED_PRECONDITION', 'A DP query reads a 1-D numeric column (one value per record); take one with "column".', { reason: 'NOT_ROW_LEVEL' });
  }
  if (input.lineage.assets.length !== 1) {
    throw new DuetError('FAILED_PRECONDITION', `A DP query reads values from exactly one asset, not ${input.lineage.assets.length}: rows of two assets line up only by position.`, {
      reason: 'NOT_ROW_LEVEL',
    });
  }
  return asFloat64(input.value);
}

export function auditedDpQuery(ledger: BudgetLedger, audit: AuditLog, scientist: string, input: DpInput, query: DpQuery, opts: DpOptions): DpResult {
  const assets = [...input.lineage.assets];
  const values = rowLevelValues(input);
  const cost = dpCost(query, opts);
  try {
    ledger.charge(scientist, assets, cost);
  } catch (e) {
    audit.append({ type: 'dp_refused', scientist, assets, query: query.kind, epsilon: cost.epsilon, delta: cost.delta, reason: isDuetError(e) ? (e.reason ?? e.code) : 'UNKNOWN' });
    throw e;
  }
  audit.append({ type: 'dp_spend', scientist, assets, query: query.kind, mechanism: cost.mechanism, epsilon: cost.epsilon, delta: cost.delta });
  return dpRelease(query, values, opts);
}

/** The DO sets a DS's budget on an asset; recorded in the audit log. */
export function setAuditedBudget(ledger: BudgetLedger, audit: AuditLog, scientist: string, asset: string, budget: Budget): void {
  ledger.setBudget(scientist, asset, budget);
  audit.append({ type: 'budget', scientist, asset, epsilon: budget.epsilon, delta: budget.delta });
}
