import { DuetError } from '../../errors';
import { compose, type Composition, type Spent } from './accountant';
import { BUDGET_UNITS_PER_ONE } from './constants';
import type { PrivacyCost } from './mechanism';

// The DO's privacy budget per (data scientist, asset). A query that touches several assets is
// charged to each, all or nothing. Amounts are compared in integer units of 1e-9 (costs rounded
// up, budgets down), so that spending exactly to the budget passes and float noise such as
// 0.1 + 0.2 > 0.3 cannot refuse it — nor can rounding ever let a query past the budget.

export interface Budget {
  readonly epsilon: number;
  /** 0 allows only pure-DP (Laplace) queries. */
  readonly delta: number;
  /** 'basic' (default) adds ε and δ; 'rdp' composes Gaussian releases more tightly. */
  readonly composition?: Composition;
}

export interface BudgetStatus {
  readonly budget: Budget;
  readonly spent: Spent;
  readonly remaining: Spent;
  readonly queries: number;
}

const costUnits = (x: number) => Math.ceil(x * BUDGET_UNITS_PER_ONE - 1e-6);
const budgetUnits = (x: number) => Math.floor(x * BUDGET_UNITS_PER_ONE + 1e-6);

function fits(spent: Spent, b: Budget): boolean {
  return costUnits(spent.epsilon) <= budgetUnits(b.epsilon) && costUnits(spent.delta) <= budgetUnits(b.delta);
}

const key = (scientist: string, asset: string) => JSON.stringify([scientist, asset]);

export class BudgetLedger {
  readonly #budgets = new Map<string, Budget>();
  readonly #spends = new Map<string, PrivacyCost[]>();

  /** Sets (or changes) a budget; spending so far still counts against the new one. */
  setBudget(scientist: string, asset: string, budget: Budget): void {
    if (!(budget.epsilon >= 0) || !Number.isFinite(budget.epsilon) || !(budget.delta >= 0) || !(budget.delta < 1)) {
      throw new DuetError('INVALID_ARGUMENT', `A budget needs ε >= 0 and 0 <= δ < 1, got (${budget.epsilon}, ${budget.delta}).`, { reason: 'BAD_BUDGET' });
    }
    this.#budgets.set(key(scientist, asset), Object.freeze({ ...budget }));
  }

  status(scientist: string, asset: string): BudgetStatus | undefined {
    const budget = this.#budgets.get(key(scientist, asset));
    if (budget === undefined) return undefined;
    const costs = this.#spends.get(key(scientist, asset)) ?? [];
    const spent = this.#spent(costs, budget);
    return {
      budget,
      spent,
      remaining: { epsilon: Math.max(0, budget.epsilon - spent.epsilon), delta: Math.max(0, budget.delta - spent.delta) },
      queries: costs.length,
    };
  }

  /** Throws unless `cost` fits every asset's remaining budget; records nothing. */
  check(scientist: string, assets: readonly string[], cost: PrivacyCost): void {
    if (assets.length === 0) throw new DuetError('INVALID_ARGUMENT', 'A DP query must name the assets it reads.', { reason: 'NO_ASSETS' });
    for (const asset of assets) {
      const budget = this.#budgets.get(key(scientist, asset));
      if (budget === undefined) {
        throw new DuetError('PERMISSION_DENIED', `No privacy budget is set for ${scientist} on asset "${asset}"; the data owner must set one first.`, {
          reason: 'NO_BUDGET',
          details: { scientist, asset },
        });
      }
      const costs = this.#spends.get(key(scientist, asset)) ?? [];
      const after = this.#spent([...costs, cost], budget);
      if (!fits(after, budget)) {
        const now = this.#spent(costs, budget);
        throw new DuetError(
          'RESOURCE_EXHAUSTED',
          `This query (ε=${cost.epsilon}, δ=${cost.delta}) would exceed the privacy budget of ${scientist} on "${asset}": ` +
            `remaining ε=${round(budget.epsilon - now.epsilon)}, δ=${round(budget.delta - now.delta)}.`,
          {
            reason: 'BUDGET_EXCEEDED',
            details: {
              scientist,
              asset,
              requestedEpsilon: cost.epsilon,
              requestedDelta: cost.delta,
              remainingEpsilon: Math.max(0, round(budget.epsilon - now.epsilon)),
              remainingDelta: Math.max(0, round(budget.delta - now.delta)),
              budgetEpsilon: budget.epsilon,
              budgetDelta: budget.delta,
            },
          },
        );
      }
    }
  }

  /** Checks, then records the spend against every asset (all or nothing). */
  charge(scientist: string, assets: readonly string[], cost: PrivacyCost): void {
    this.check(scientist, assets, cost);
    for (const asset of new Set(assets)) {
      const k = key(scientist, asset);
      this.#spends.set(k, [...(this.#spends.get(k) ?? []), cost]);
    }
  }

  #spent(costs: readonly PrivacyCost[], b: Budget): Spent {
    return compose(costs, b.composition ?? 'basic', b.delta > 0 ? b.delta : 1e-300);
  }
}

function round(x: number): number {
  return Math.round(x * BUDGET_UNITS_PER_ONE) / BUDGET_UNITS_PER_ONE;
}
