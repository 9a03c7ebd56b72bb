import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { isDuetError } from '../../errors';
import { assertDType, tensorBytes, tensorFromBytes } from '../../tensor';
import {
  LineageSchema,
  OpArgSchema,
  PlanNodeSchema,
  PlanSchema,
  type Lineage as LineageMsg,
  type OpArg,
  type Plan as PlanMsg,
  type PlanNode as PlanNodeMsg,
} from '../../wire/gen/duet/v1/plan_pb';
import { malformed } from './errors';
import type { Aggregation, Arg, Args, Lineage, Plan, PlanNode } from './types';

// The wire form (plan.proto) and the in-memory form differ only where protobuf needs a oneof or
// a list wrapper; conversion is total one way and checked the other (a decoded plan is still
// untrusted: validatePlan runs on it before anything else).

export function planToProto(plan: Plan): PlanMsg {
  return create(PlanSchema, { nodes: plan.nodes.map(nodeToProto), output: plan.output });
}

function nodeToProto(n: PlanNode): PlanNodeMsg {
  switch (n.kind) {
    case 'asset':
      return create(PlanNodeSchema, { kind: { case: 'asset', value: { assetId: n.assetId } } });
    case 'pointer':
      return create(PlanNodeSchema, { kind: { case: 'pointer', value: { pointerId: n.pointerId } } });
    case 'constant': {
      const v = n.value;
      const value =
        typeof v === 'number'
          ? { case: 'number' as const, value: v }
          : typeof v === 'string'
            ? { case: 'text' as const, value: v }
            : typeof v === 'boolean'
              ? { case: 'flag' as const, value: v }
              : { case: 'tensor' as const, value: { dtype: v.dtype, shape: [...v.shape], data: tensorBytes(v).slice() } };
      return create(PlanNodeSchema, { kind: { case: 'constant', value: { value } } });
    }
    case 'op':
      return create(PlanNodeSchema, {
        kind: { case: 'op', value: { op: n.op, inputs: [...n.inputs], args: Object.fromEntries(Object.entries(n.args).map(([k, a]) => [k, argToProto(a)])) } },
      });
  }
}

function argToProto(a: Arg): OpArg {
  if (typeof a === 'number') return create(OpArgSchema, { value: { case: 'number', value: a } });
  if (typeof a === 'string') return create(OpArgSchema, { value: { case: 'text', value: a } });
  if (typeof a === 'boolean') return create(OpArgSchema, { value: { case: 'flag', value: a } });
  const list = a as readonly unknown[];
  if (list.length > 0 && typeof list[0] === 'string') return create(OpArgSchema, { value: { case: 'strings', value: { values: [...(list as string[])] } } });
  if (list.length > 0 && typeof list[0] === 'object') {
    const values = (list as Aggregation[]).map((g) => ({ column: g.column, fn: g.fn, name: g.name ?? '' }));
    return create(OpArgSchema, { value: { case: 'aggregations', value: { values } } });
  }
  return create(OpArgSchema, { value: { case: 'numbers', value: { values: [...(list as number[])] } } });
}

export function planFromProto(msg: PlanMsg): Plan {
  return { nodes: msg.nodes.map(nodeFromProto), output: msg.output };
}

function nodeFromProto(n: PlanNodeMsg, i: number): PlanNode {
  const k = n.kind;
  switch (k.case) {
    case 'asset':
      return { kind: 'asset', assetId: k.value.assetId };
    case 'pointer':
      return { kind: 'pointer', pointerId: k.value.pointerId };
    case 'constant': {
      const c = k.value.value;
      switch (c.case) {
        case 'number':
        case 'text':
        case 'flag':
          return { kind: 'constant', value: c.value };
        case 'tensor':
          try {
            return { kind: 'constant', value: tensorFromBytes(assertDType(c.value.dtype), c.value.shape, c.value.data) };
          } catch (e) {
            throw malformed(`bad tensor constant: ${isDuetError(e) ? e.message : String(e)}`, i);
          }
        default:
          throw malformed('a constant has no value.', i);
      }
    }
    case 'op': {
      const args: Record<string, Arg> = {};
      for (const [name, a] of Object.entries(k.value.args)) args[name] = argFromProto(a, name, i);
      return { kind: 'op', op: k.value.op, inputs: [...k.value.inputs], args: args as Args };
    }
    default:
      throw malformed('a node has no kind.', i);
  }
}

function argFromProto(a: OpArg, name: string, node: number): Arg {
  const v = a.value;
  switch (v.case) {
    case 'number':
    case 'text':
    case 'flag':
      return v.value;
    case 'numbers':
    case 'strings':
      return [...v.value.values] as readonly number[] | readonly string[];
    case 'aggregations':
      return v.value.values.map((g): Aggregation => ({ column: g.column, fn: g.fn, ...(g.name !== '' ? { name: g.name } : {}) }));
    default:
      throw malformed(`argument "${name}" has no value.`, node);
  }
}

/** A plan as protobuf bytes, for the control channel. */
export function encodePlan(plan: Plan): Uint8Array {
  return toBinary(PlanSchema, planToProto(plan));
}

/** Decodes untrusted bytes into a plan; undecodable bytes are INVALID_ARGUMENT (MALFORMED_PLAN). */
export function decodePlan(bytes: Uint8Array): Plan {
  let msg: PlanMsg;
  try {
    msg = fromBinary(PlanSchema, bytes);
  } catch (e) {
    throw malformed(`the bytes are not a duet.v1.Plan (${e instanceof Error ? e.message : String(e)}).`);
  }
  return planFromProto(msg);
}

export function lineageToProto(l: Lineage): LineageMsg {
  return create(LineageSchema, { assetIds: [...l.assets], pointerIds: [...l.pointers], ops: [...l.ops] });
}

export function lineageFromProto(m: LineageMsg): Lineage {
  return { assets: [...m.assetIds], pointers: [...m.pointerIds], ops: [...m.ops] };
}

