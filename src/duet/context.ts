import type { EvaluationContext } from './plan/evaluate';
import type { PlanLimitOptions } from './plan/limits';
import type { OpRegistry } from './plan/registry';
import type { PointerTable } from './pointers';
import type { Store } from './store';

export interface PlanContextOptions {
  /** The DS running the plan: only their own pointers resolve. */
  scientist: string;
  registry?: OpRegistry;
  allowedOps?: Iterable<string>;
  limits?: PlanLimitOptions;
}

/** The evaluation context for one DS over the DO's store and pointer table. */
export function planContext(store: Store, pointers: PointerTable, opts: PlanContextOptions): EvaluationContext {
  return {
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(opts.allowedOps ? { allowedOps: opts.allowedOps } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
    asset: (id) => (store.has(id) ? store.value(id) : undefined),
    pointer: (id) => (pointers.has(id, opts.scientist) ? pointers.value(id, opts.scientist) : undefined),
    pointerType: (id) => (pointers.has(id, opts.scientist) ? pointers.info(id, opts.scientist).type : undefined),
    pointerLineage: (id) => (pointers.has(id, opts.scientist) ? pointers.info(id, opts.scientist).lineage : undefined),
  };
}
