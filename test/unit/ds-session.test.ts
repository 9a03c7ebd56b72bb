import { describe, expect, it } from 'vitest';
import { isTensor, tensor, type Tensor } from '../../src/tensor';
import { isTable, textAt, type Column, type Table } from '../../src/duet/data/table';
import { MAX_OUTPUT_ELEMENTS } from '../../src/duet/constants';
import { DEFAULT_BUDGET, MAX_RELEASE_ELEMENTS } from '../../src/duet/ds-constants';
import { TensorChunkEvent } from '../../src/transport/paths/control-path';
import { decode } from '../../src/wire/frames';
import { ControlFrameSchema } from '../../src/wire/gen/duet/v1/control_pb';
import { dsPair, SCIENTIST_ID, SECRET_INCOME } from '../helpers/ds-pair';
import { rejection, thrown } from './ds-helpers';

const scalar = (v: unknown) => {
  expect(isTensor(v)).toBe(true);
  return Number((v as Tensor).data[0]);
};

describe('the store, remotely', () => {
  it('RD1: the DS lists metadata only, and gets a mock only where the DO offered one', async () => {
    const { ds } = await dsPair();
    const assets = await ds.store.list();
    expect(assets.map((a) => a.id)).toEqual(['people', 'pixels']);
    const people = assets[0]!;
    expect(people).toMatchObject({ kind: 'table', rows: 8, tags: ['census', 'sensitive'], mock: true });
    expect(people.columns?.map((c) => c.name)).toEqual(['age', 'income', 'sex', 'city']);
    expect(people.columns?.[0]?.domain).toEqual({ min: 18, max: 90 });
    expect(JSON.stringify(assets)).not.toContain(String(SECRET_INCOME));
    expect(assets[1]).toMatchObject({ kind: 'tensor', dtype: 'float32', shape: [4, 3, 2], mock: false });

    const mock = (await ds.store.mock('people')) as Table;
    expect(isTable(mock)).toBe(true);
    expect(mock.columns.map((c) => c.name)).toEqual(['age', 'income', 'sex', 'city']);
    const noMock = await rejection(ds.store.mock('pixels'));
    expect([noMock.code, noMock.reason]).toEqual(['PERMISSION_DENIED', 'NO_MOCK']);
  });
});

describe('remote values', () => {
  it('RD2: ops build a plan locally; run() sends it whole and gets a pointer with the inferred type and lineage', async () => {
    const { ds, owner } = await dsPair();
    const mean = ds.asset('people').col('age').mean();
    expect(mean.plan().nodes.map((n) => (n.kind === 'op' ? n.op : n.kind))).toEqual(['asset', 'column', 'mean']);
    expect(owner.pointers.list()).toHaveLength(0); // nothing sent yet
    const p = await mean.run();
    expect(p.type).toEqual({ kind: 'tensor', dtype: 'float64', shape: [], exact: true });
    expect(p.lineage).toEqual({ assets: ['people'], pointers: [], ops: ['column', 'mean'] });
    expect(owner.pointers.list(SCIENTIST_ID).map((x) => x.id)).toEqual([p.pointerId]);
    expect(await mean.run()).toBe(p); // runs once
    // Built on a value that ran, a new expression refers to its pointer rather than re-sending its ops.
    const doubled = mean.mul(2);
    expect(doubled.plan().nodes[0]).toEqual({ kind: 'pointer', pointerId: p.pointerId });
    const q = await doubled.run();
    expect(q.lineage.ops).toEqual(['column', 'mean', 'mul']);
  });

  it('RD3: an op outside the allow-list is refused by the DO, naming the op', async () => {
    const { ds, owner } = await dsPair({ allowedOps: ['column', 'mean'] });
    const e = await rejection(ds.asset('people').op('eval', [], { code: 'steal()' }).run());
    expect([e.code, e.reason, e.details.op]).toEqual(['PERMISSION_DENIED', 'OP_NOT_ALLOWED', 'eval']);
    const narrowed = await rejection(ds.asset('people').col('age').sum().run());
    expect([narrowed.reason, narrowed.details.op]).toEqual(['OP_NOT_ALLOWED', 'sum']);
    expect(owner.audit.entries().filter((x) => x.event.type === 'plan').map((x) => (x.event as { error: string }).error)).toEqual(['OP_NOT_ALLOWED', 'OP_NOT_ALLOWED']);
  });

  it('RD4: a malformed plan is refused before anything runs', async () => {
    const { ds, owner } = await dsPair();
    const forward = await rejection(ds.runPlan({ nodes: [{ kind: 'op', op: 'add', inputs: [1, 2], args: {} }], output: 0 }));
    expect([forward.code, forward.reason]).toEqual(['INVALID_ARGUMENT', 'MALFORMED_PLAN']);
    const empty = await rejection(ds.runPlan({ nodes: [], output: 0 }));
    expect(empty.reason).toBe('MALFORMED_PLAN');
    const badOutput = await rejection(ds.runPlan({ nodes: [{ kind: 'asset', assetId: 'people' }], output: 7 }));
    expect(badOutput.reason).toBe('MALFORMED_PLAN');
    expect(owner.pointers.list()).toHaveLength(0);
  });

  it('RD5: a shape mismatch is refused with both shapes', async () => {
    const { ds } = await dsPair();
    const px = ds.asset('pixels');
    const e = await rejection(px.reshape([4, 6]).matmul(px.reshape([4, 6])).run());
    expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'SHAPE_MISMATCH']);
    expect(e.message).toContain('[4, 6]');
    expect([e.details.left, e.details.right]).toEqual(['[4, 6]', '[4, 6]']);
  });

  it('RD6: an unknown or deleted pointer is NOT_FOUND, for runs, requests and DP', async () => {
    const { ds, owner } = await dsPair();
    const unknown = await rejection(ds.pointer('0123456789abcdef0123456789abcdef').mul(2).run());
    expect([unknown.code, unknown.reason]).toEqual(['NOT_FOUND', 'NO_SUCH_POINTER']);
    const ages = ds.asset('people').col('age');
    const p = await ages.run();
    await ages.delete();
    expect(owner.pointers.has(p.pointerId)).toBe(false);
    for (const attempt of [ages.mean().run(), ages.get({ reason: 'after delete' }), ages.mean().getDP({ epsilon: 0.1 })]) {
      const e = await rejection(attempt);
      expect([e.code, e.reason]).toEqual(['NOT_FOUND', 'NO_SUCH_POINTER']);
    }
    const twice = await rejection(ages.delete());
    expect(twice.code).toBe('NOT_FOUND');
    const noAsset = await rejection(ds.asset('nope').run());
    expect([noAsset.code]).toEqual(['NOT_FOUND']);
  });
});

describe('requests over the session', () => {
  it('RD7: get() resolves with the value once the DO approves it: tensors, tables, text and strings', async () => {
    const { ds, owner } = await dsPair();
    const mean = ds.asset('people').col('age').mean();
    const req = await mean.request('mean age for the report');
    expect(req.status).toBe('pending');
    const pending = owner.pending();
    expect(pending.map((r) => [r.id, r.reason, r.scientist])).toEqual([[req.id, 'mean age for the report', SCIENTIST_ID]]);
    expect(pending[0]!.preview).toMatchObject({ kind: 'tensor', head: [40.75] });
    const progress: number[] = [];
    ds.on('transfer', (t) => progress.push(t.bytes));
    owner.approve(req.id, 'fine');
    expect(scalar(await mean.get())).toBe(40.75);
    expect(progress.at(-1)).toBe(8);
    expect(ds.requests()[0]).toMatchObject({ id: req.id, status: 'approved', message: 'fine', decidedBy: 'owner' });

    // A table (with a category and text with a gap) comes back exactly.
    const rows = ds.asset('people').select(['age', 'sex', 'city']).slice(0, 3);
    const r2 = await rows.request('three rows');
    owner.approve(r2.id);
    const t = (await rows.get()) as Table;
    expect(isTable(t)).toBe(true);
    expect(t.columns.map((c) => [c.name, c.kind])).toEqual([['age', 'numeric'], ['sex', 'category'], ['city', 'string']]);
    const [age, sex, city] = t.columns as [Column, Column, Column];
    expect(age.kind === 'numeric' && Array.from(age.values)).toEqual([23, 35, 47]);
    expect(sex.kind === 'category' && [0, 1, 2].map((i) => textAt(sex, i))).toEqual(['F', 'M', 'F']);
    expect(city.kind === 'string' && city.values).toEqual(['Oslo', 'Lima', null]);

    const text = ds.asset('people').col('sex');
    const r3 = await text.request('the sexes');
    owner.approve(r3.id);
    const col = await text.get();
    expect((col as { kind: string }).kind).toBe('category');
  });

  it('RD8: a denied request rejects with the DO message, and no value', async () => {
    const { ds, owner } = await dsPair();
    const incomes = ds.asset('people').col('income');
    const req = await incomes.request('all incomes please');
    const got = incomes.get();
    owner.deny(req.id, 'Too detailed: ask for a DP mean instead.');
    const e = await rejection(got);
    expect([e.code, e.reason]).toEqual(['PERMISSION_DENIED', 'REQUEST_DENIED']);
    expect(e.message).toContain('Too detailed: ask for a DP mean instead.');
    expect(e.details.message).toBe('Too detailed: ask for a DP mean instead.');
    expect(ds.transferViews()).toEqual([]);
  });

  it('RD9: an undecided request expires on the DO and get() fails with REQUEST_EXPIRED; an abort withdraws it', async () => {
    const { ds, owner } = await dsPair();
    const mean = ds.asset('people').col('age').mean();
    const e = await rejection(mean.get({ reason: 'quick', timeoutMs: 30 }));
    expect([e.code, e.reason]).toEqual(['DEADLINE_EXCEEDED', 'REQUEST_EXPIRED']);
    expect(owner.requests()[0]?.status).toBe('expired');
    const late = thrown(() => owner.approve(owner.requests()[0]!.id));
    expect(late.reason).toBe('ALREADY_DECIDED');

    const ac = new AbortController();
    const req = await mean.request('withdraw me', { signal: ac.signal });
    const got = mean.get();
    ac.abort();
    const c = await rejection(got);
    expect([c.code, c.reason]).toEqual(['CANCELLED', 'REQUEST_CANCELLED']);
    await expect.poll(() => owner.requests().find((r) => r.id === req.id)?.status).toBe('cancelled');
  });

  it('RD12: a value over MAX_RELEASE_ELEMENTS is refused before the DO is asked; a plan over MAX_OUTPUT_ELEMENTS before it runs', async () => {
    const { ds, owner } = await dsPair({ maxReleaseElements: 24 });
    expect(MAX_RELEASE_ELEMENTS).toBeLessThanOrEqual(MAX_OUTPUT_ELEMENTS);
    const atLimit = ds.asset('pixels');
    const ok = await atLimit.request('all 24 pixels');
    owner.approve(ok.id);
    expect(((await atLimit.get()) as Tensor).data.length).toBe(24);
    const px = ds.asset('pixels');
    const outer = px.reshape([24, 1]).add(px.reshape([1, 24])); // 576 elements
    const e = await rejection(outer.get({ reason: 'all pairs' }));
    expect([e.code, e.reason, e.details.limit]).toEqual(['RESOURCE_EXHAUSTED', 'LIMIT_EXCEEDED', 'MAX_RELEASE_ELEMENTS']);
    expect(owner.pending()).toEqual([]);

    const pairs = outer.reshape([576, 1]).mul(outer.reshape([1, 576])); // 331,776
    const tooBig = pairs.reshape([331776, 1]).mul(outer.reshape([1, 576])); // 1.9e8, past MAX_OUTPUT_ELEMENTS
    const o = await rejection(tooBig.run());
    expect([o.code, o.reason]).toEqual(['RESOURCE_EXHAUSTED', 'LIMIT_EXCEEDED']);
    expect(['MAX_OUTPUT_ELEMENTS', 'MAX_ELEMENTS_PROCESSED']).toContain(o.details.limit);
  });

  it('RD13: a DS with no approval and no policy receives no values: no tensor bytes, none of the data on the wire', async () => {
    const { ds, owner, toScientist } = await dsPair();
    const incomes = ds.asset('people').col('income');
    const attempts: Promise<unknown>[] = [];
    attempts.push(ds.store.list(), ds.store.mock('people'), incomes.run(), incomes.max().run(), incomes.filter(incomes.gt(900000)).run());
    await Promise.allSettled(attempts);
    const req = await incomes.request('please');
    const denied = incomes.get();
    const expired = incomes.max().get({ reason: 'max', timeoutMs: 20 });
    owner.deny(req.id, 'no');
    await Promise.allSettled([denied, expired]);
    expect((await rejection(denied)).reason).toBe('REQUEST_DENIED');
    expect((await rejection(expired)).reason).toBe('REQUEST_EXPIRED');

    const sent = toScientist.sent;
    expect(sent.length).toBeGreaterThan(5);
    const secret = new Uint8Array(Float64Array.of(SECRET_INCOME).buffer);
    const leaks = () => sent.filter((bytes) => indexOf(bytes, secret) >= 0).length;
    const chunks = () => sent.filter((bytes) => {
      const frame = decode(ControlFrameSchema, bytes, 'frame');
      return frame.msg.case === 'event' && frame.msg.value.name === TensorChunkEvent.name;
    }).length;
    expect([leaks(), chunks()]).toEqual([0, 0]);
    expect(owner.audit.entries().filter((e) => e.event.type === 'release')).toEqual([]);

    // The check can see a leak: once the DO approves, the incomes (and the secret) do cross.
    const ok = await incomes.request('approved this time');
    owner.approve(ok.id);
    await incomes.get();
    expect([leaks(), chunks()]).toEqual([1, 1]);
  });

  it('RD14: a DO approve policy releases at once; a deny policy refuses at once with its message', async () => {
    const { ds, owner } = await dsPair();
    owner.policies.add({ action: 'approve', tags: ['public'], maxElements: 24, message: 'public data' });
    owner.policies.add({ action: 'deny', ops: ['filter'], message: 'No row filters, please.' });
    const px = await ds.asset('pixels').mean().get({ reason: 'mean pixel' });
    expect(scalar(px)).toBeCloseTo(5.75);
    expect(ds.requests()[0]).toMatchObject({ status: 'approved', decidedBy: expect.stringMatching(/^policy:/), message: 'public data' });
    const people = ds.asset('people');
    const e = await rejection(people.col('age').filter(people.col('age').gt(40)).count().get({ reason: 'count' }));
    expect([e.reason, e.details.message]).toEqual(['REQUEST_DENIED', 'No row filters, please.']);
    // Sensitive data, no policy: it waits for the DO.
    const waiting = await people.col('age').mean().request('mean');
    expect(waiting.status).toBe('pending');
  });

  it('RD15: plans, requests, decisions, releases and DP spends land in the audit log in order', async () => {
    const { ds, owner } = await dsPair();
    const mean = ds.asset('people').col('age').mean();
    const r = await mean.request('audit me');
    owner.approve(r.id, 'ok');
    await mean.get();
    await ds.asset('people').col('age').mean().getDP({ epsilon: 0.1 });
    const types = owner.audit.entries().map((e) => e.event.type);
    const from = types.indexOf('plan');
    expect(types.slice(from)).toEqual(['plan', 'request', 'decision', 'release', 'plan', 'dp_spend']);
    expect(JSON.parse(owner.audit.exportJson()).format).toBe('duet-audit/1');
  });
});

describe('differential privacy over the session', () => {
  it('RD10: getDP() releases a DP mean within budget, bounds from the declared domain, and reports what is left', async () => {
    const { ds, owner } = await dsPair();
    const budgets: number[] = [];
    ds.on('budgets', (b) => budgets.push(b.find((x) => x.assetId === 'people')!.remaining.epsilon));
    const r = await ds.asset('people').col('age').mean().getDP({ epsilon: 0.5 });
    expect(r.query).toBe('mean');
    expect(r.value).toBeGreaterThanOrEqual(18); // clamped into the declared [18, 90]
    expect(r.value).toBeLessThanOrEqual(90);
    expect(r.epsilon).toBeCloseTo(0.5);
    expect(r.remaining.epsilon).toBeCloseTo(DEFAULT_BUDGET.epsilon - 0.5);
    await expect.poll(() => budgets.at(-1)).toBeCloseTo(0.5);
    expect(owner.ledger.status(SCIENTIST_ID, 'people')?.remaining.epsilon).toBeCloseTo(0.5);

    const h = await ds.asset('people').col('age').histogram({ bins: 4, range: [0, 100] }).getDP({ epsilon: 0.2 });
    expect([h.query, h.values.length, h.value]).toEqual(['histogram', 4, undefined]);
    const c = await ds.asset('people').col('income').getDP({ epsilon: 0.1, query: 'count', mechanism: 'gaussian', delta: 1e-6 });
    expect([c.query, c.mechanism]).toEqual(['count', 'gaussian']);
    const notRow = await rejection(ds.asset('people').col('age').mean().mul(1).getDP({ epsilon: 0.1, query: 'sum', bounds: [0, 1] }));
    expect(notRow.reason).toBe('NOT_ROW_LEVEL');
  });

  it('RD11: a query over budget is refused with what is left, on both sides, and spends nothing', async () => {
    const { ds, owner } = await dsPair();
    await ds.asset('people').col('age').mean().getDP({ epsilon: 0.6 });
    const e = await rejection(ds.asset('people').col('age').mean().getDP({ epsilon: 0.6 }));
    expect([e.code, e.reason]).toEqual(['RESOURCE_EXHAUSTED', 'BUDGET_EXCEEDED']);
    expect(e.details.remainingEpsilon).toBeCloseTo(0.4);
    const status = owner.budgets().find((b) => b.assetId === 'people')!.status;
    expect(status.remaining.epsilon).toBeCloseTo(0.4);
    expect(status.queries).toBe(1);
    const mine = await ds.budgets();
    expect(mine.find((b) => b.assetId === 'people')?.remaining.epsilon).toBeCloseTo(0.4);
  });

  it('RD16: each new scientist gets the default budget on every asset; the DO changes it and the DS is told', async () => {
    const { ds, owner } = await dsPair({ defaultBudget: { epsilon: 2, delta: 0 } });
    const before = await ds.budgets();
    expect(before.map((b) => [b.assetId, b.epsilon, b.delta])).toEqual([['people', 2, 0], ['pixels', 2, 0]]);
    const told: number[] = [];
    ds.on('budgets', (b) => told.push(b.find((x) => x.assetId === 'people')!.epsilon));
    owner.setBudget(SCIENTIST_ID, 'people', { epsilon: 0.05, delta: 0 });
    await expect.poll(() => told.at(-1)).toBe(0.05);
    expect((await rejection(ds.asset('people').col('age').mean().getDP({ epsilon: 0.1 }))).reason).toBe('BUDGET_EXCEEDED');

    const { ds: none } = await dsPair({ defaultBudget: null });
    expect((await rejection(none.asset('people').col('age').mean().getDP({ epsilon: 0.1 }))).reason).toBe('NO_BUDGET');
  });
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('convenience', () => {
  it('RD7: getNumber() gives a one-element value as a number, and refuses anything bigger', async () => {
    const { ds, owner } = await dsPair();
    owner.policies.add({ action: 'approve', tags: ['census'], maxElements: 100 });
    expect(await ds.asset('people').col('age').max().getNumber({ reason: 'oldest' })).toBe(62);
    const e = await rejection(ds.asset('people').col('age').getNumber({ reason: 'all' }));
    expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'BAD_ARGUMENT']);
  });
});

describe('the owner adds data while a scientist is here', () => {
  it('RD16: new assets reach the scientist\'s listing, with the default budget', async () => {
    const { ds, owner } = await dsPair();
    await ds.store.list();
    const seen: string[][] = [];
    ds.on('store', (assets) => seen.push(assets.map((a) => a.id)));
    owner.store.add({ id: 'late', name: 'Late', value: tensor('float64', [3], Float64Array.of(1, 2, 3)), domains: { min: 0, max: 5 } });
    owner.refreshStore();
    await expect.poll(() => seen.at(-1)).toEqual(['people', 'pixels', 'late']);
    owner.addAsset({ id: 'later', name: 'Later', value: tensor('float64', [2], Float64Array.of(1, 2)) });
    await expect.poll(() => seen.at(-1)).toEqual(['people', 'pixels', 'late', 'later']);
    expect((await ds.budgets()).map((b) => b.assetId)).toEqual(['people', 'pixels', 'late', 'later']);
    expect((await ds.asset('late').sum().getDP({ epsilon: 0.1, bounds: [0, 5] })).remaining.epsilon).toBeCloseTo(0.9);
  });
});

describe('describing assets', () => {
  it('RD14: re-tagging an asset changes which policy applies, and the scientist sees the new listing', async () => {
    const { ds, owner } = await dsPair();
    owner.policies.add({ action: 'approve', tags: ['open'], maxElements: 1 });
    const seen: string[][] = [];
    ds.on('store', (a) => seen.push([...(a.find((x) => x.id === 'people')?.tags ?? [])]));
    expect((await ds.asset('people').col('age').mean().request('before')).status).toBe('pending');
    owner.describeAsset('people', { tags: ['open', ' census ', ''], description: 'Now open.' });
    await expect.poll(() => seen.at(-1)).toEqual(['open', 'census']);
    expect(await ds.asset('people').col('age').mean().getNumber({ reason: 'after' })).toBe(40.75);
    expect((await ds.store.list())[0]?.description).toBe('Now open.');
  });
});
