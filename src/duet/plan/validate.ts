import { DuetError, isDuetError } from '../../errors';
import { enforceLimit } from '../../limits';
import { isTensor, sizeOf } from '../../tensor';
import { defaultRegistry } from './builtins';
import { malformed, opNotAllowed } from './errors';
import { resolvePlanLimits, type PlanLimitOptions } from './limits';
import { checkArgs, type OpRegistry } from './registry';
import type { Plan, PlanNode, ValueType } from './types';
import { elementsOf } from './values';

// Everything about a plan is checked here, before any op runs: structure, the allow-list,
// arity and args, references, shapes and dtypes (by inference), and the cost limits.

export interface ValidationContext {
  /** The allow-list; defaults to the built-in ops. */
  registry?: OpRegistry;
  /** A narrower allow-list the DO set for this DS (names in the registry). */
  allowedOps?: Iterable<string>;
  assetType(id: string): ValueType | undefined;
  pointerType(id: string): ValueType | undefined;
  limits?: PlanLimitOptions;
}

export interface PlanCheck {
  /** The result's inferred type. */
  readonly type: ValueType;
  /** Every node's inferred type, by index. */
  readonly types: readonly ValueType[];
  readonly nodes: number;
  readonly elementsProcessed: number;
  /** Elements in the result (an upper bound when the type is inexact). */
  readonly outputElements: number;
  readonly ops: readonly string[];
  readonly assets: readonly string[];
  readonly pointers: readonly string[];
}

/** The pseudo-op lineage lists where a constant tensor (more than one element) entered a value. */
export const CONST_TENSOR_OP = 'const_tensor';

let shared: OpRegistry | undefined;
/** @internal the registry used when a context names none. */
export function builtinRegistry(): OpRegistry {
  return (shared ??= defaultRegistry());
}

export function validatePlan(plan: Plan, ctx: ValidationContext): PlanCheck {
  const limits = resolvePlanLimits(ctx.limits);
  const registry = ctx.registry ?? builtinRegistry();
  const allowed = ctx.allowedOps === undefined ? undefined : new Set(ctx.allowedOps);
  if (typeof plan !== 'object' || plan === null || !Array.isArray(plan.nodes)) throw malformed('a plan needs a list of nodes.');
  if (plan.nodes.length === 0) throw malformed('the plan has no nodes.');
  enforceLimit('MAX_PLAN_NODES', plan.nodes.length, limits.maxNodes, 'The number of plan nodes');
  if (!Number.isInteger(plan.output) || plan.output < 0 || plan.output >= plan.nodes.length) {
    throw malformed(`output ${String(plan.output)} is not a node index (0..${plan.nodes.length - 1}).`);
  }
  const types: ValueType[] = [];
  const ops: string[] = [];
  const assets = new Set<string>();
  const pointers = new Set<string>();
  let processed = 0;
  plan.nodes.forEach((node: PlanNode, i) => {
    const t = nodeType(node, i);
    const out = elementsOf(t);
    enforceLimit('MAX_OUTPUT_ELEMENTS', out, limits.maxOutputElements, `The size of node ${i}${node.kind === 'op' ? ` (${node.op})` : ''}`);
    enforceLimit('MAX_ELEMENTS_PROCESSED', processed, limits.maxElementsProcessed, `The elements processed up to node ${i}`);
    types.push(t);
  });
  enforceLimit('MAX_ELEMENTS_PROCESSED', processed, limits.maxElementsProcessed, 'The elements the plan processes');
  const type = types[plan.output]!;
  return { type, types, nodes: plan.nodes.length, elementsProcessed: processed, outputElements: elementsOf(type), ops, assets: [...assets], pointers: [...pointers] };

  function nodeType(node: PlanNode, i: number): ValueType {
    if (typeof node !== 'object' || node === null) throw malformed('a node must be an object.', i);
    switch (node.kind) {
      case 'asset': {
        if (typeof node.assetId !== 'string' || node.assetId === '') throw malformed('an asset node needs an asset id.', i);
        const t = ctx.assetType(node.assetId);
        if (t === undefined) throw new DuetError('NOT_FOUND', `No asset "${node.assetId}" (node ${i}).`, { reason: 'NO_SUCH_ASSET', details: { asset: node.assetId, node: i } });
        assets.add(node.assetId);
        return t;
      }
      case 'pointer': {
        if (typeof node.pointerId !== 'string' || node.pointerId === '') throw malformed('a pointer node needs a pointer id.', i);
        const t = ctx.pointerType(node.pointerId);
        if (t === undefined) {
          throw new DuetError('NOT_FOUND', `No pointer "${node.pointerId}" (node ${i}): it never existed or was deleted.`, {
            reason: 'NO_SUCH_POINTER',
            details: { pointer: node.pointerId, node: i },
          });
        }
        pointers.add(node.pointerId);
        return t;
      }
      case 'constant': {
        const v = node.value;
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) throw malformed('a number constant must be finite.', i);
          return { kind: 'tensor', dtype: 'float64', shape: [], exact: true };
        }
        if (typeof v === 'boolean') return { kind: 'tensor', dtype: 'bool', shape: [], exact: true };
        if (typeof v === 'string') return { kind: 'string' };
        if (isTensor(v)) {
          // A constant with more than one element lines up with rows by position: lineage says so,
          // because positional inputs break per-record reasoning (DP, policies on ops).
          if (sizeOf(v.shape) > 1) ops.push(CONST_TENSOR_OP);
          return { kind: 'tensor', dtype: v.dtype, shape: v.shape, exact: true };
        }
        throw malformed('a constant is a number, a string, a boolean or a tensor.', i);
      }
      case 'op': {
        if (typeof node.op !== 'string') throw malformed('an op node needs an op name.', i);
        const def = registry.get(node.op);
        if (def === undefined || (allowed !== undefined && !allowed.has(node.op))) throw opNotAllowed(node.op, i);
        if (!Array.isArray(node.inputs)) throw malformed('an op node needs a list of inputs.', i);
        for (const j of node.inputs) {
          if (!Number.isInteger(j) || j < 0 || j >= i) throw malformed(`input ${String(j)} must be the index of an earlier node (0..${i - 1}).`, i);
        }
        const [lo, hi] = def.arity;
        if (node.inputs.length < lo || node.inputs.length > hi) {
          throw malformed(`op "${node.op}" takes ${lo === hi ? lo : `${lo} to ${hi}`} inputs, got ${node.inputs.length}.`, i);
        }
        const args = node.args ?? {};
        if (typeof args !== 'object' || Array.isArray(args)) throw malformed('args must be an object.', i);
        checkArgs(def, args, i);
        const inputs = node.inputs.map((j) => types[j]!);
        const out = atNode(i, () => def.infer(inputs, args));
        const cost = def.cost ? def.cost(inputs, args, out) : inputs.reduce((s, t) => s + elementsOf(t), 0) + elementsOf(out);
        if (!(cost >= 0)) throw new DuetError('INTERNAL', `Op "${node.op}" reported a bad cost ${cost}.`);
        processed += cost;
        ops.push(node.op);
        return out;
      }
      default:
        throw malformed(`unknown node kind "${String((node as { kind?: unknown }).kind)}".`, i);
    }
  }
}

/** Runs fn, adding the node index to any DuetError it throws, so a person can find the node. */
export function atNode<T>(node: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw withNode(e, node);
  }
}

/** @internal */
export function withNode(e: unknown, node: number): unknown {
  if (!isDuetError(e) || 'node' in e.details) return e;
  return new DuetError(e.code, `${e.message} (node ${node})`, { reason: e.reason, cause: e, details: { ...e.details, node } });
}
