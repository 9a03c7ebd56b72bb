import { describe, expect, it, vi } from 'vitest';
import { MAX_PLAN_NODES } from '../../src/duet/constants';
import { planContext } from '../../src/duet/context';
import { columnOf, isTable, table, type Table } from '../../src/duet/data';
import {
  decodePlan,
  defaultRegistry,
  encodePlan,
  evaluatePlan,
  PlanBuilder,
  typeOfValue,
  typesOf,
  validatePlan,
  type OpDef,
  type Plan,
  type PlanValue,
} from '../../src/duet/plan';
import { PointerTable } from '../../src/duet/pointers';
import { Store } from '../../src/duet/store';
import { isTensor, tensor, type Tensor } from '../../src/tensor';
import { thrown, rejection } from './ds-helpers';

function people(): Table {
  return table([
    { kind: 'numeric', name: 'age', dtype: 'int32', values: Int32Array.of(30, 40, 50, 60, 20) },
    { kind: 'numeric', name: 'hours', dtype: 'float64', values: Float64Array.of(40, 35, NaN, 20, 45) },
    { kind: 'category', name: 'sex', levels: ['F', 'M'], codes: Int32Array.of(0, 1, 0, 1, 0) },
  ]);
}

function setup() {
  const store = new Store();
  store.add({ id: 'people', name: 'People', value: people() });
  store.add({ id: 'm', name: 'M', value: tensor('float64', [2, 3], Float64Array.of(1, 2, 3, 4, 5, 6)) });
  const pointers = new PointerTable();
  const ctx = planContext(store, pointers, { scientist: 'ds1' });
  return { store, pointers, ctx };
}

async function run(plan: Plan, ctx = setup().ctx): Promise<PlanValue> {
  return (await evaluatePlan(plan, ctx)).value;
}

function values(v: PlanValue): number[] {
  if (!isTensor(v)) throw new Error('not a tensor');
  return Array.from(v.data as Float64Array);
}

describe('plan evaluation', () => {
  it('broadcasts arithmetic, reduces along axes, and gives float64', async () => {
    const b = new PlanBuilder();
    const m = b.asset('m');
    const centred = b.op('sub', [m, b.op('mean', [m], { axis: 0 })]);
    expect(values(await run(b.build(centred)))).toEqual([-1.5, -1.5, -1.5, 1.5, 1.5, 1.5]);
    const b2 = new PlanBuilder();
    const s = b2.op('sum', [b2.asset('m')], { axis: -1 });
    const r = await run(b2.build(s));
    expect(isTensor(r) && r.shape).toEqual([2]);
    expect(values(r)).toEqual([6, 15]);
  });

  it('computes std/var (population and ddof=1), min, max, count, skipping NaN', async () => {
    const cases: Array<[string, Record<string, number>, number]> = [
      ['mean', {}, 35],
      ['count', {}, 4],
      ['var', {}, 87.5],
      ['var', { ddof: 1 }, 350 / 3],
      ['std', {}, Math.sqrt(87.5)],
      ['min', {}, 20],
      ['max', {}, 45],
      ['sum', {}, 140],
    ];
    for (const [fn, args, want] of cases) {
      const b = new PlanBuilder();
      const hours = b.op('column', [b.asset('people')], { name: 'hours' });
      expect(values(await run(b.build(b.op(fn, [hours], args))))[0]).toBeCloseTo(want, 12);
    }
  });

  it('filters rows by a text predicate and a numeric one (mean age of women over 25)', async () => {
    const b = new PlanBuilder();
    const t = b.asset('people');
    const female = b.op('eq', [b.op('column', [t], { name: 'sex' }), 'F']);
    const older = b.op('gt', [b.op('column', [t], { name: 'age' }), 25]);
    const rows = b.op('filter', [t, b.op('and', [female, older])]);
    const out = await evaluatePlan(b.build(b.op('mean', [b.op('column', [rows], { name: 'age' })])), setup().ctx);
    expect(values(out.value)).toEqual([40]);
    expect(out.lineage).toEqual({ assets: ['people'], pointers: [], ops: ['column', 'eq', 'column', 'gt', 'and', 'filter', 'column', 'mean'] });
  });

  it('groups by a category and aggregates; groups come out sorted by key', async () => {
    const b = new PlanBuilder();
    const g = b.op('group_by', [b.asset('people')], {
      keys: ['sex'],
      aggregations: [
        { column: 'age', fn: 'mean' },
        { column: '', fn: 'count', name: 'n' },
      ],
    });
    const v = await run(b.build(g));
    if (!isTable(v)) throw new Error('table');
    expect(v.columns.map((c) => c.name)).toEqual(['sex', 'mean_age', 'n']);
    const mean = columnOf(v, 'mean_age');
    expect(mean.kind === 'numeric' && Array.from(mean.values)).toEqual([(30 + 50 + 20) / 3, 50]);
    const n = columnOf(v, 'n');
    expect(n.kind === 'numeric' && Array.from(n.values)).toEqual([3, 2]);
  });

  it('runs matmul, transpose, reshape, slice, select, to_tensor and histogram', async () => {
    const b = new PlanBuilder();
    const m = b.asset('m');
    const gram = b.op('matmul', [m, b.op('transpose', [m])]);
    expect(values(await run(b.build(gram)))).toEqual([14, 32, 32, 77]);
    const b2 = new PlanBuilder();
    const r = b2.op('slice', [b2.op('reshape', [b2.asset('m')], { shape: [3, -1] })], { start: [1], stop: [-0 + 3] });
    const sliced = await run(b2.build(r));
    expect(isTensor(sliced) && sliced.shape).toEqual([2, 2]);
    expect(values(sliced)).toEqual([3, 4, 5, 6]);
    const b3 = new PlanBuilder();
    const x = b3.op('to_tensor', [b3.op('select', [b3.asset('people')], { columns: ['hours', 'age'] })]);
    const xt = await run(b3.build(x));
    expect(isTensor(xt) && xt.shape).toEqual([5, 2]);
    expect(values(xt).slice(0, 4)).toEqual([40, 30, 35, 40]);
    const b4 = new PlanBuilder();
    const h = b4.op('histogram', [b4.op('column', [b4.asset('people')], { name: 'age' })], { bins: 4, range: [20, 60] });
    expect(values(await run(b4.build(h)))).toEqual([1, 1, 1, 2]); // 60 == hi falls in the last bin
  });

  it('PL6: results become pointers whose lineage flows into later plans', async () => {
    const { pointers, ctx } = setup();
    const b = new PlanBuilder();
    const first = await evaluatePlan(b.build(b.op('column', [b.asset('people')], { name: 'age' })), ctx);
    const p = pointers.createFromOutcome(first, 'ds1');
    const b2 = new PlanBuilder();
    const out = await evaluatePlan(b2.build(b2.op('max', [b2.pointer(p.id)])), ctx);
    expect(values(out.value)).toEqual([60]);
    expect(out.lineage).toEqual({ assets: ['people'], pointers: [p.id], ops: ['column', 'max'] });
  });
});

describe('what a DS is told', () => {
  it('PL7: result and pointer types come from inference: a filter gives an upper bound, never the count', async () => {
    const { pointers, ctx } = setup();
    const b = new PlanBuilder();
    const t = b.asset('people');
    const women = b.op('filter', [t, b.op('eq', [b.op('column', [t], { name: 'sex' }), 'F'])]);
    const out = await evaluatePlan(b.build(women), ctx);
    expect(isTable(out.value) && out.value.rowCount).toBe(3); // the DO's value
    expect(out.type).toMatchObject({ kind: 'table', rows: 5, exact: false }); // what the DS sees
    expect(JSON.stringify(out.type)).not.toMatch(/"F"|"M"|levels/); // levels are data, unless declared
    const p = pointers.createFromOutcome(out, 'ds1');
    const b2 = new PlanBuilder();
    const ages = await evaluatePlan(b2.build(b2.op('column', [b2.pointer(p.id)], { name: 'age' })), ctx);
    expect(ages.type).toMatchObject({ kind: 'tensor', shape: [5], exact: false });
  });

  it('PL7: a mismatch found only at run time keeps its code and reason but not the sizes', async () => {
    const b = new PlanBuilder();
    const t = b.asset('people');
    const f1 = b.op('filter', [b.op('column', [t], { name: 'age' }), b.op('eq', [b.op('column', [t], { name: 'sex' }), 'F'])]);
    const f2 = b.op('filter', [b.op('column', [t], { name: 'age' }), b.op('gt', [b.op('column', [t], { name: 'age' }), 45])]);
    const e = await rejection(evaluatePlan(b.build(b.op('add', [f1, f2])), setup().ctx));
    expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'SHAPE_MISMATCH']);
    expect(e.message).not.toMatch(/\[[0-9]/);
    expect(Object.keys(e.details).sort()).toEqual(['node', 'op']);
  });
});

describe('plan validation', () => {
  it('PL1: an op outside the allow-list is PERMISSION_DENIED / OP_NOT_ALLOWED naming the op', async () => {
    const b = new PlanBuilder();
    const plan = b.build(b.op('eval_js', [b.asset('m')]));
    const e = await rejection(evaluatePlan(plan, setup().ctx));
    expect([e.code, e.reason, e.details['op']]).toEqual(['PERMISSION_DENIED', 'OP_NOT_ALLOWED', 'eval_js']);
    expect(e.message).toMatch(/"eval_js"/);
    // The DO may narrow the allow-list further for a DS.
    const b2 = new PlanBuilder();
    const narrowed = { ...setup().ctx, allowedOps: ['mean'] };
    expect((await rejection(evaluatePlan(b2.build(b2.op('sum', [b2.asset('m')])), narrowed))).reason).toBe('OP_NOT_ALLOWED');
  });

  it('PL2: malformed plans are INVALID_ARGUMENT / MALFORMED_PLAN', async () => {
    const { ctx } = setup();
    const v = typesOf(ctx);
    const bad: Plan[] = [
      { nodes: [], output: 0 },
      { nodes: [{ kind: 'asset', assetId: 'm' }], output: 1 },
      { nodes: [{ kind: 'op', op: 'neg', inputs: [1], args: {} }, { kind: 'asset', assetId: 'm' }], output: 0 },
      { nodes: [{ kind: 'asset', assetId: 'm' }, { kind: 'op', op: 'neg', inputs: [0, 0], args: {} }], output: 1 },
      { nodes: [{ kind: 'constant', value: Number.NaN }], output: 0 },
      { nodes: [{ kind: 'wat' } as never], output: 0 },
    ];
    for (const p of bad) {
      const e = thrown(() => validatePlan(p, v));
      expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'MALFORMED_PLAN']);
    }
    expect(thrown(() => decodePlan(Uint8Array.of(0xff, 0xff, 0xff))).reason).toBe('MALFORMED_PLAN');
  });

  it('PL2: bad args are INVALID_ARGUMENT / BAD_ARGUMENT', () => {
    const v = typesOf(setup().ctx);
    const mk = (op: string, args: Record<string, unknown>) => {
      const b = new PlanBuilder();
      return b.build(b.op(op, [b.asset('people')], args as never));
    };
    for (const [op, args] of [
      ['column', {}],
      ['column', { name: 3 }],
      ['column', { name: 'age', extra: 1 }],
      ['column', { name: 'nope' }],
      ['select', { columns: ['age', 'age'] }],
      ['group_by', { keys: ['hours'], aggregations: [{ column: 'age', fn: 'sum' }] }],
      ['group_by', { keys: ['sex'], aggregations: [{ column: 'age', fn: 'median' }] }],
    ] as const) {
      const e = thrown(() => validatePlan(mk(op, args), v));
      expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'BAD_ARGUMENT']);
    }
  });

  it('PL3: a shape mismatch is INVALID_ARGUMENT / SHAPE_MISMATCH with both shapes, found before running', () => {
    const store = new Store();
    store.add({ id: 'a', name: 'a', value: tensor('float64', [2, 3]) });
    store.add({ id: 'v', name: 'v', value: tensor('float64', [4]) });
    const v = typesOf(planContext(store, new PointerTable(), { scientist: 'ds1' }));
    const b = new PlanBuilder();
    const e = thrown(() => validatePlan(b.build(b.op('add', [b.asset('a'), b.asset('v')])), v));
    expect([e.code, e.reason, e.details['left'], e.details['right']]).toEqual(['INVALID_ARGUMENT', 'SHAPE_MISMATCH', '[2, 3]', '[4]']);
    expect(e.details['node']).toBe(2);
    const b2 = new PlanBuilder();
    const m = thrown(() => validatePlan(b2.build(b2.op('matmul', [b2.asset('a'), b2.asset('a')])), v));
    expect([m.reason, m.details['left'], m.details['right']]).toEqual(['SHAPE_MISMATCH', '[2, 3]', '[2, 3]']);
    const b3 = new PlanBuilder();
    expect(thrown(() => validatePlan(b3.build(b3.op('reshape', [b3.asset('a')], { shape: [4, -1] })), v)).reason).toBe('SHAPE_MISMATCH');
  });

  it('PL4: an unknown, deleted or other DS pointer is NOT_FOUND; so is an unknown asset', async () => {
    const { pointers, ctx, store } = setup();
    const one = tensor('float64', [1]);
    const p = pointers.create(one, { assets: [], pointers: [], ops: [] }, 'ds1', typeOfValue(one));
    const other = pointers.create(one, { assets: [], pointers: [], ops: [] }, 'ds2', typeOfValue(one));
    pointers.delete(p.id);
    for (const id of [p.id, other.id, 'never-existed']) {
      const b = new PlanBuilder();
      const e = await rejection(evaluatePlan(b.build(b.op('neg', [b.pointer(id)])), ctx));
      expect([e.code, e.reason]).toEqual(['NOT_FOUND', 'NO_SUCH_POINTER']);
    }
    store.remove('m');
    const b = new PlanBuilder();
    expect((await rejection(evaluatePlan(b.build(b.asset('m')), ctx))).code).toBe('NOT_FOUND');
  });

  it('PL5: MAX_PLAN_NODES is enforced at its edge', () => {
    const v = typesOf(setup().ctx);
    const chain = (n: number): Plan => {
      const b = new PlanBuilder();
      let x = b.asset('m');
      for (let i = 1; i < n; i++) x = b.op('neg', [x]);
      return b.build(x);
    };
    expect(validatePlan(chain(MAX_PLAN_NODES), v).nodes).toBe(MAX_PLAN_NODES);
    const e = thrown(() => validatePlan(chain(MAX_PLAN_NODES + 1), v));
    expect([e.code, e.details['limit']]).toEqual(['RESOURCE_EXHAUSTED', 'MAX_PLAN_NODES']);
  });

  it('PL5: output and work limits are enforced at their edges, before any op runs', async () => {
    const registry = defaultRegistry();
    const spy = vi.fn((inputs: readonly PlanValue[]) => inputs[0]!);
    registry.register({ name: 'probe', category: 'model', summary: 'test probe', arity: [1, 1], args: {}, infer: ([t]) => t!, evaluate: spy });
    const { store, pointers } = setup();
    const big = new PlanBuilder();
    const outer = big.op('matmul', [big.op('reshape', [big.op('probe', [big.asset('m')])], { shape: [6, 1] }), big.op('reshape', [big.asset('m')], { shape: [1, 6] })]);
    const plan = big.build(outer); // a 6x6 result
    const ctx = (limits: Record<string, number>) => planContext(store, pointers, { scientist: 'ds1', registry, limits });
    expect(validatePlan(plan, typesOf(ctx({ maxOutputElements: 36 }))).outputElements).toBe(36);
    const e = await rejection(evaluatePlan(plan, ctx({ maxOutputElements: 35 })));
    expect([e.code, e.details['limit'], e.details['actual']]).toEqual(['RESOURCE_EXHAUSTED', 'MAX_OUTPUT_ELEMENTS', 36]);
    const work = validatePlan(plan, typesOf(ctx({}))).elementsProcessed;
    expect(validatePlan(plan, typesOf(ctx({ maxElementsProcessed: work }))).elementsProcessed).toBe(work);
    expect((await rejection(evaluatePlan(plan, ctx({ maxElementsProcessed: work - 1 })))).details['limit']).toBe('MAX_ELEMENTS_PROCESSED');
    expect(spy).not.toHaveBeenCalled();
    await evaluatePlan(plan, ctx({}));
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('op registry', () => {
  it('validates definitions at registration', () => {
    const r = defaultRegistry();
    const ok: OpDef = { name: 'model.train_demo', category: 'model', summary: 's', arity: [1, 2], args: { epochs: { kind: 'int', min: 1 } }, infer: ([t]) => t!, evaluate: ([v]) => v! };
    r.register(ok);
    expect(thrown(() => r.register(ok)).code).toBe('ALREADY_EXISTS');
    expect(thrown(() => r.register({ ...ok, name: 'Bad Name' })).reason).toBe('BAD_OP_DEFINITION');
    expect(thrown(() => r.register({ ...ok, name: 'x1', arity: [2, 1] })).reason).toBe('BAD_OP_DEFINITION');
    expect(thrown(() => r.register({ ...ok, name: 'x2', args: { e: { kind: 'float' as never } } })).reason).toBe('BAD_OP_DEFINITION');
    expect(thrown(() => r.register({ ...ok, name: 'x3', category: 'magic' as never })).reason).toBe('BAD_OP_DEFINITION');
  });

  it('a plugged-in training op runs through the same validation (args, async evaluate)', async () => {
    const registry = defaultRegistry();
    registry.register({
      name: 'model.fit_mean',
      category: 'model',
      summary: 'fits a constant model: the mean of y',
      arity: [1, 1],
      args: { epochs: { kind: 'int', required: true, min: 1, max: 10 } },
      infer: () => ({ kind: 'tensor', dtype: 'float64', shape: [1], exact: true }),
      evaluate: async ([y]) => {
        const t = y as Tensor;
        const d = Array.from(t.data as Float64Array);
        return tensor('float64', [1], Float64Array.of(d.reduce((a, b) => a + b, 0) / d.length));
      },
    });
    const { store, pointers } = setup();
    const ctx = planContext(store, pointers, { scientist: 'ds1', registry });
    const b = new PlanBuilder();
    const fit = b.op('model.fit_mean', [b.op('reshape', [b.asset('m')], { shape: [-1] })], { epochs: 3 });
    expect(values((await evaluatePlan(b.build(fit), ctx)).value)).toEqual([3.5]);
    const b2 = new PlanBuilder();
    const bad = b2.op('model.fit_mean', [b2.asset('m')], { epochs: 11 });
    expect((await rejection(evaluatePlan(b2.build(bad), ctx))).reason).toBe('BAD_ARGUMENT');
  });
});

describe('plan codec', () => {
  it('round-trips every node and arg kind through plan.proto bytes', () => {
    const b = new PlanBuilder();
    const t = b.asset('people');
    const k = b.constant(tensor('int32', [2], Int32Array.of(-1, 7)));
    const g = b.op('group_by', [t], { keys: ['sex'], aggregations: [{ column: 'age', fn: 'sum' }, { column: '', fn: 'count', name: 'n' }] });
    b.op('histogram', [k], { bins: 3, range: [0, 1.5] });
    b.op('select', [g], { columns: ['sex'] });
    b.op('clip', [b.pointer('abc'), true, 'x'], { min: -1 });
    const plan = b.build(g);
    const back = decodePlan(encodePlan(plan));
    expect(back.output).toBe(plan.output);
    expect(back.nodes.length).toBe(plan.nodes.length);
    const norm = (p: Plan) => JSON.stringify(p.nodes.map((n) => (n.kind === 'constant' && isTensor(n.value) ? { t: Array.from(n.value.data as Int32Array), s: n.value.shape } : n)));
    expect(norm(back)).toBe(norm(plan));
  });
});
