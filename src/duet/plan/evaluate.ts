import { DuetError, isDuetError } from '../../errors';
import { enforceLimit } from '../../limits';
import { tensor } from '../../tensor';
import { resolvePlanLimits } from './limits';
import type { Lineage, Plan, PlanValue, ValueType } from './types';
import { withNode, builtinRegistry, validatePlan, type PlanCheck, type ValidationContext } from './validate';
import { elementsOf, typeOfValue } from './values';

export interface EvaluationContext extends Omit<ValidationContext, 'assetType' | 'pointerType'> {
  asset(id: string): PlanValue | undefined;
  pointer(id: string): PlanValue | undefined;
  /**
   * A pointer's public type (the one inferred when it was made). Validation uses it rather than
   * the value's actual type, so nothing the DS sees depends on the data (e.g. a filter's count).
   */
  pointerType?(id: string): ValueType | undefined;
  /** The lineage of a pointer's value, so results carry the whole history. */
  pointerLineage?(id: string): Lineage | undefined;
}

export interface PlanOutcome {
  readonly value: PlanValue;
  /** The inferred type: what the DS may be told (row counts after a filter are upper bounds). */
  readonly type: ValueType;
  readonly lineage: Lineage;
  readonly check: PlanCheck;
}

/** The validation view of an evaluation context: types come from the values themselves. */
export function typesOf(ctx: EvaluationContext): ValidationContext {
  return {
    ...ctx,
    assetType: (id) => {
      const v = ctx.asset(id);
      return v === undefined ? undefined : typeOfValue(v);
    },
    pointerType: (id) => {
      if (ctx.pointerType) return ctx.pointerType(id);
      const v = ctx.pointer(id);
      return v === undefined ? undefined : typeOfValue(v);
    },
  };
}

/** Validates the plan in full, then runs it on the DO's values. Nothing runs if validation fails. */
export async function evaluatePlan(plan: Plan, ctx: EvaluationContext): Promise<PlanOutcome> {
  const check = validatePlan(plan, typesOf(ctx));
  const limits = resolvePlanLimits(ctx.limits);
  const registry = ctx.registry ?? builtinRegistry();
  const values: PlanValue[] = [];
  for (let i = 0; i < plan.nodes.length; i++) {
    const node = plan.nodes[i]!;
    let v: PlanValue;
    switch (node.kind) {
      case 'asset':
        v = ctx.asset(node.assetId)!;
        break;
      case 'pointer':
        v = ctx.pointer(node.pointerId)!;
        break;
      case 'constant':
        v = constantValue(node.value);
        break;
      case 'op': {
        const def = registry.get(node.op)!;
        const inputs = node.inputs.map((j) => values[j]!);
        try {
          v = await def.evaluate(inputs, node.args ?? {});
        } catch (e) {
          throw runtimeError(e, node.op, i);
        }
        checkAgainstInferred(node.op, i, check.types[i]!, typeOfValue(v));
        break;
      }
    }
    enforceLimit('MAX_OUTPUT_ELEMENTS', elementsOf(typeOfValue(v)), limits.maxOutputElements, `The size of node ${i}`);
    values.push(v);
  }
  return { value: values[plan.output]!, type: check.type, lineage: lineageOf(check, ctx), check };
}

function constantValue(v: number | string | boolean | PlanValue): PlanValue {
  if (typeof v === 'number') return tensor('float64', [], Float64Array.of(v));
  if (typeof v === 'boolean') return tensor('bool', [], Uint8Array.of(v ? 1 : 0));
  return v;
}

// A registered op (maybe a plug-in) must return what its infer() promised: the kind and dtype,
// and a shape within the inferred bounds, or the limits checked before the run would be void.
function checkAgainstInferred(op: string, node: number, want: ValueType, got: ValueType): void {
  // The message names what differs but not the actual sizes, which would reveal data.
  const bad = (what: string) => new DuetError('INTERNAL', `Op "${op}" at node ${node} returned a value whose ${what} differs from its inferred type.`, { details: { op, node } });
  if (want.kind !== got.kind) throw bad(`a ${got.kind}`);
  if (want.kind === 'tensor' && got.kind === 'tensor') {
    if (want.dtype !== got.dtype) throw bad('dtype');
    const ok = want.shape.length === got.shape.length && want.shape.every((d, k) => (want.exact ? got.shape[k] === d : got.shape[k]! <= d));
    if (!ok) throw bad('shape');
  }
  if (want.kind === 'table' && got.kind === 'table' && got.rows > want.rows) throw bad('row count');
  if (want.kind === 'text' && got.kind === 'text' && got.length > want.length) throw bad('length');
}

function lineageOf(check: PlanCheck, ctx: EvaluationContext): Lineage {
  const assets = new Set(check.assets);
  const ops: string[] = [];
  for (const p of check.pointers) {
    const l = ctx.pointerLineage?.(p);
    if (l === undefined) continue;
    for (const a of l.assets) assets.add(a);
    ops.push(...l.ops);
  }
  ops.push(...check.ops);
  return { assets: [...assets], pointers: [...check.pointers], ops };
}


// Errors after validation passed come from sizes known only at run time (a filter's count):
// their messages would tell the DS those sizes, so they keep their code and reason but say only
// where and what went wrong. (That the plan failed is itself one bit; the DO sees all in the audit.)
function runtimeError(e: unknown, op: string, node: number): DuetError {
  if (isDuetError(e) && e.code === 'INVALID_ARGUMENT') {
    return new DuetError('INVALID_ARGUMENT', `${op} (node ${node}): shapes known only at run time do not fit (e.g. two filters kept different numbers of rows).`, {
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      details: { op, node },
    });
  }
  if (isDuetError(e)) return withNode(e, node) as DuetError;
  return new DuetError('INTERNAL', `Op "${op}" failed at node ${node}.`, { cause: e, details: { node, op } });
}
