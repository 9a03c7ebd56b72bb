import { DuetError } from '../../errors';
import { badArgument } from './errors';
import type { Arg, Args, PlanValue, ValueType } from './types';

// The allow-list is a registry of ops by name (STYLE 7): an op a plan names must be here, and
// each definition is checked when it is registered, so a bad one fails at start-up, not mid-plan.
// A model-training op (another issue) plugs in with `registry.register(def)`.

export const ARG_KINDS = ['number', 'int', 'string', 'bool', 'numbers', 'ints', 'strings', 'aggregations'] as const;
export type ArgKind = (typeof ARG_KINDS)[number];

export interface ArgSpec {
  readonly kind: ArgKind;
  readonly required?: boolean;
  /** For string args: the allowed values. */
  readonly oneOf?: readonly string[];
  /** For numeric args: inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
}

export const OP_CATEGORIES = ['elementwise', 'comparison', 'reduction', 'linalg', 'shape', 'table', 'stats', 'model'] as const;
export type OpCategory = (typeof OP_CATEGORIES)[number];

export interface OpDef {
  /** Lower-case, digits, '_' and '.', e.g. "add" or "model.train_logreg". */
  readonly name: string;
  readonly category: OpCategory;
  readonly summary: string;
  /** Inclusive range of input counts. */
  readonly arity: readonly [min: number, max: number];
  readonly args: Readonly<Record<string, ArgSpec>>;
  /** Shape and dtype inference; throws INVALID_ARGUMENT (SHAPE_MISMATCH, BAD_ARGUMENT) on bad input. */
  infer(inputs: readonly ValueType[], args: Args): ValueType;
  /** Elements processed; defaults to input elements plus output elements. */
  cost?(inputs: readonly ValueType[], args: Args, output: ValueType): number;
  /** Runs the op; may be async (training). Inputs already passed `infer`. */
  evaluate(inputs: readonly PlanValue[], args: Args): PlanValue | Promise<PlanValue>;
}

const NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

export class OpRegistry {
  readonly #ops = new Map<string, OpDef>();

  register(def: OpDef): this {
    const bad = (why: string) => new DuetError('INVALID_ARGUMENT', `Cannot register op "${String(def.name)}": ${why}.`, { reason: 'BAD_OP_DEFINITION' });
    if (typeof def.name !== 'string' || !NAME.test(def.name) || def.name.length > 64) throw bad('its name must be lower-case words joined by "_" or "."');
    if (this.#ops.has(def.name)) throw new DuetError('ALREADY_EXISTS', `Op "${def.name}" is already registered.`, { reason: 'BAD_OP_DEFINITION' });
    if (!(OP_CATEGORIES as readonly string[]).includes(def.category)) throw bad(`unknown category "${String(def.category)}"`);
    const [lo, hi] = def.arity;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo || hi > 16) throw bad(`bad arity [${lo}, ${hi}]`);
    for (const [name, spec] of Object.entries(def.args)) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) throw bad(`bad argument name "${name}"`);
      if (!(ARG_KINDS as readonly string[]).includes(spec.kind)) throw bad(`argument "${name}" has unknown kind "${String(spec.kind)}"`);
    }
    if (typeof def.infer !== 'function' || typeof def.evaluate !== 'function') throw bad('it needs infer() and evaluate()');
    this.#ops.set(def.name, Object.freeze({ ...def }));
    return this;
  }

  get(name: string): OpDef | undefined {
    return this.#ops.get(name);
  }

  has(name: string): boolean {
    return this.#ops.has(name);
  }

  names(): string[] {
    return [...this.#ops.keys()];
  }

  defs(): OpDef[] {
    return [...this.#ops.values()];
  }
}

/** Checks a node's args against the op's spec: unknown, missing, wrongly typed or out-of-range args. */
export function checkArgs(def: OpDef, args: Args, node?: number): void {
  for (const name of Object.keys(args)) {
    if (!(name in def.args)) throw badArgument(def.name, `unknown argument "${name}"; it takes ${Object.keys(def.args).join(', ') || 'none'}.`, node);
  }
  for (const [name, spec] of Object.entries(def.args)) {
    const v = args[name];
    if (v === undefined) {
      if (spec.required) throw badArgument(def.name, `argument "${name}" (${spec.kind}) is required.`, node);
      continue;
    }
    if (!argMatches(spec, v)) throw badArgument(def.name, `argument "${name}" must be ${describe(spec)}, got ${JSON.stringify(v)}.`, node);
  }
}

function inRange(spec: ArgSpec, x: number): boolean {
  return Number.isFinite(x) && (spec.min === undefined || x >= spec.min) && (spec.max === undefined || x <= spec.max);
}

function argMatches(spec: ArgSpec, v: Arg): boolean {
  switch (spec.kind) {
    case 'number':
      return typeof v === 'number' && inRange(spec, v);
    case 'int':
      return typeof v === 'number' && Number.isSafeInteger(v) && inRange(spec, v);
    case 'bool':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string' && (spec.oneOf === undefined || spec.oneOf.includes(v));
    case 'numbers':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && inRange(spec, x));
    case 'ints':
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && inRange(spec, x));
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'aggregations':
      return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && typeof (x as { column: unknown }).column === 'string' && typeof (x as { fn: unknown }).fn === 'string');
  }
}

function describe(spec: ArgSpec): string {
  const range = spec.min !== undefined || spec.max !== undefined ? ` in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]` : '';
  if (spec.oneOf) return `one of ${spec.oneOf.join(', ')}`;
  return `${spec.kind === 'int' ? 'an integer' : spec.kind === 'ints' ? 'a list of integers' : `a ${spec.kind}`}${range}`;
}
