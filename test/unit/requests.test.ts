import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/duet/audit';
import { MAX_MESSAGE_CHARS, MAX_PENDING_REQUESTS, REQUEST_TIMEOUT_MS } from '../../src/duet/constants';
import { auditedDpQuery, setAuditedBudget } from '../../src/duet/dp';
import { PolicySet } from '../../src/duet/policies';
import { PointerTable } from '../../src/duet/pointers';
import { RequestQueue, type RequestOutcome } from '../../src/duet/requests';
import { typeOfValue, type Lineage } from '../../src/duet/plan';
import { isDuetError } from '../../src/errors';
import { BudgetLedger, seededRandom, uniformInt } from '../../src/privacy/dp';
import { isTensor, tensor } from '../../src/tensor';
import { thrown } from './ds-helpers';

const UNRESOLVED = 'unresolved' as const;
/** Whether a promise has settled, without waiting on time: a settled promise wins the race. */
async function settled<T>(p: Promise<T>): Promise<T | typeof UNRESOLVED> {
  return Promise.race([p, Promise.resolve().then((): typeof UNRESOLVED => UNRESOLVED)]);
}

const TAGS: Record<string, string[]> = { adult: ['census', 'sensitive'], stats: ['public'], stats2: ['public'] };

function setup(opts: { policies?: PolicySet; maxPending?: number; timeoutMs?: number } = {}) {
  let clock = 1_000_000;
  const now = () => clock;
  const pointers = new PointerTable(now);
  const audit = new AuditLog(now);
  const queue = new RequestQueue({ pointers, audit, now, assetTags: (a) => TAGS[a] ?? [], ...opts });
  const lineage = (assets: string[], ops: string[]): Lineage => ({ assets, pointers: [], ops });
  const ptr = (elements = 3, l: Lineage = lineage(['adult'], ['column', 'mean']), owner = 'ds1') => {
    const t = tensor('float64', [elements], Float64Array.from({ length: elements }, (_, i) => 100 + i));
    return pointers.create(t, l, owner, typeOfValue(t));
  };
  return { queue, audit, pointers, ptr, lineage, advance: (ms: number) => (clock += ms) };
}

describe('requests', () => {
  it('DS1: with no approval and no policy, a request yields no value: it waits, then expires empty', async () => {
    const { queue, audit, ptr, advance } = setup();
    const p = ptr();
    const { request, outcome } = queue.submit({ scientist: 'ds1', pointerId: p.id, reason: 'need the mean' });
    expect(request.status).toBe('pending');
    expect(await settled(outcome)).toBe(UNRESOLVED);
    advance(REQUEST_TIMEOUT_MS - 1);
    expect(queue.expireDue()).toBe(0);
    expect(await settled(outcome)).toBe(UNRESOLVED);
    advance(1);
    expect(queue.expireDue()).toBe(1);
    const o = await outcome;
    expect(o.status).toBe('expired');
    expect('value' in o).toBe(false);
    expect(audit.entries().some((e) => e.event.type === 'release')).toBe(false);
  });

  it('DS1: across random sequences of submits, denials, cancels, expiries and deny policies, no value is ever released', async () => {
    const rng = seededRandom(42);
    for (let round = 0; round < 20; round++) {
      const policies = new PolicySet();
      const { queue, audit, ptr, advance } = setup({ policies });
      const outcomes: Promise<RequestOutcome>[] = [];
      const ids: string[] = [];
      for (let step = 0; step < 30; step++) {
        const action = uniformInt(5, rng);
        try {
          if (action === 0 || ids.length === 0) {
            const s = queue.submit({ scientist: 'ds1', pointerId: ptr(1 + uniformInt(50, rng)).id, reason: 'r' });
            outcomes.push(s.outcome);
            ids.push(s.request.id);
          } else if (action === 1) queue.deny(ids[uniformInt(ids.length, rng)]!, 'no');
          else if (action === 2) queue.cancel(ids[uniformInt(ids.length, rng)]!, 'ds1');
          else if (action === 3) advance(uniformInt(REQUEST_TIMEOUT_MS, rng));
          else policies.add({ action: 'deny', maxElements: uniformInt(50, rng) });
        } catch (e) {
          if (!isDuetError(e)) throw e; // deciding twice is FAILED_PRECONDITION: fine here
        }
      }
      advance(REQUEST_TIMEOUT_MS);
      queue.expireDue();
      for (const o of await Promise.all(outcomes)) expect('value' in o).toBe(false);
      expect(audit.entries().filter((e) => e.event.type === 'release')).toEqual([]);
    }
  });

  it('DS2: the DO sees a preview; an approval releases the value, audited as request, decision, release', async () => {
    const { queue, audit, ptr } = setup();
    const p = ptr(3);
    const { request, outcome } = queue.submit({ scientist: 'ds1', pointerId: p.id, reason: 'plot it' });
    expect('preview' in request).toBe(false); // the DS's copy carries no preview
    const [view] = queue.pending();
    expect(view!.preview).toEqual({ kind: 'tensor', dtype: 'float64', shape: [3], head: [100, 101, 102] });
    expect(view!.lineage.assets).toEqual(['adult']);
    queue.approve(request.id, 'fine');
    const o = await outcome;
    if (o.status !== 'approved') throw new Error(o.status);
    expect(isTensor(o.value) && Array.from(o.value.data as Float64Array)).toEqual([100, 101, 102]);
    expect(o.request.decision).toMatchObject({ by: 'owner', message: 'fine' });
    expect(audit.entries().map((e) => e.event.type)).toEqual(['request', 'decision', 'release']);
    expect(thrown(() => queue.deny(request.id)).reason).toBe('ALREADY_DECIDED');
  });

  it('DS3: a denial carries the DO message back and no value', async () => {
    const { queue, ptr } = setup();
    const { request, outcome } = queue.submit({ scientist: 'ds1', pointerId: ptr().id, reason: 'why not' });
    queue.deny(request.id, 'Too fine-grained; use a DP mean.');
    const o = await outcome;
    expect(o.status).toBe('denied');
    expect(o.request.decision?.message).toBe('Too fine-grained; use a DP mean.');
    expect('value' in o).toBe(false);
  });

  it('DS4: a request past its own timeout can no longer be approved', async () => {
    const { queue, ptr, advance } = setup();
    const { request, outcome } = queue.submit({ scientist: 'ds1', pointerId: ptr().id, reason: 'r', timeoutMs: 1000 });
    advance(1000);
    expect(thrown(() => queue.approve(request.id)).code).toBe('FAILED_PRECONDITION');
    expect((await outcome).status).toBe('expired');
    expect(thrown(() => queue.submit({ scientist: 'ds1', pointerId: ptr().id, reason: 'r', timeoutMs: REQUEST_TIMEOUT_MS + 1 })).reason).toBe('BAD_CONFIG');
  });

  it("DS5: a DS cannot request another DS's pointer, or a deleted one (NOT_FOUND)", () => {
    const { queue, ptr, pointers } = setup();
    const theirs = ptr(3, undefined, 'ds2');
    expect(thrown(() => queue.submit({ scientist: 'ds1', pointerId: theirs.id, reason: 'r' })).code).toBe('NOT_FOUND');
    const mine = ptr();
    pointers.delete(mine.id);
    expect(thrown(() => queue.submit({ scientist: 'ds1', pointerId: mine.id, reason: 'r' })).code).toBe('NOT_FOUND');
  });

  it('MAX_PENDING_REQUESTS and MAX_MESSAGE_CHARS are enforced at their edges', () => {
    const { queue, ptr } = setup({ maxPending: 2 });
    queue.submit({ scientist: 'ds1', pointerId: ptr().id, reason: 'a' });
    queue.submit({ scientist: 'ds1', pointerId: ptr().id, reason: 'x'.repeat(MAX_MESSAGE_CHARS) });
    const e = thrown(() => queue.submit({ scientist: 'ds1', pointerId: ptr().id, reason: 'c' }));
    expect([e.code, e.details['limit']]).toEqual(['RESOURCE_EXHAUSTED', 'MAX_PENDING_REQUESTS']);
    const { queue: q2, ptr: p2 } = setup();
    expect(thrown(() => q2.submit({ scientist: 'ds1', pointerId: p2().id, reason: 'x'.repeat(MAX_MESSAGE_CHARS + 1) })).details['limit']).toBe('MAX_MESSAGE_CHARS');
    expect(thrown(() => q2.submit({ scientist: 'ds1', pointerId: p2().id, reason: '  ' })).reason).toBe('BAD_MESSAGE');
    expect(thrown(() => setup({ maxPending: MAX_PENDING_REQUESTS + 1 })).reason).toBe('BAD_CONFIG');
  });
});

describe('policies', () => {
  it('PO1: an approve-by-tag policy releases at once, only when every source asset has the tag', async () => {
    const policies = new PolicySet();
    policies.add({ id: 'public-ok', action: 'approve', tags: ['public'], message: 'public data' });
    const { queue, ptr, lineage, audit } = setup({ policies });
    const pub = queue.submit({ scientist: 'ds1', pointerId: ptr(3, lineage(['stats', 'stats2'], ['add'])).id, reason: 'r' });
    const o = await pub.outcome;
    expect(o.status).toBe('approved');
    expect(o.request.decision).toMatchObject({ by: 'policy:public-ok', message: 'public data' });
    const mixed = queue.submit({ scientist: 'ds1', pointerId: ptr(3, lineage(['stats', 'adult'], ['add'])).id, reason: 'r' });
    expect(mixed.request.status).toBe('pending');
    expect(audit.entries().filter((e) => e.event.type === 'release').length).toBe(1);
  });

  it('PO2: deny rules win over approve rules', async () => {
    const policies = new PolicySet();
    policies.add({ action: 'approve', maxElements: 10 });
    policies.add({ action: 'deny', tags: ['sensitive'], message: 'never raw census data' });
    const { queue, ptr } = setup({ policies });
    const o = await queue.submit({ scientist: 'ds1', pointerId: ptr(1).id, reason: 'r' }).outcome;
    expect(o.status).toBe('denied');
    expect(o.request.decision?.message).toBe('never raw census data');
  });

  it('PO3: op, size and element-quota conditions; the quota is spent by releases', async () => {
    const policies = new PolicySet();
    policies.add({ id: 'agg', action: 'approve', ops: ['column', 'mean', 'sum'], maxElements: 5, elementQuota: 8 });
    const { queue, ptr, lineage } = setup({ policies });
    const submit = (n: number, ops = ['column', 'mean']) => queue.submit({ scientist: 'ds1', pointerId: ptr(n, lineage(['adult'], ops)).id, reason: 'r' }).request.status;
    expect(submit(3, ['column', 'filter'])).toBe('pending'); // an op outside the rule's list
    expect(submit(6)).toBe('pending'); // over maxElements
    expect(submit(5)).toBe('approved');
    expect(submit(3)).toBe('approved'); // 8 of 8: exactly the quota
    expect(submit(1)).toBe('pending'); // one over the quota
    expect(policies.list()[0]!.released).toBe(8);
  });

  it('PO4: policies expire, and may be limited to one DS', () => {
    let clock = 0;
    const policies = new PolicySet(() => clock);
    policies.add({ action: 'approve', maxElements: 100, expiresAt: 1000, scientist: 'ds1' });
    const pointers = new PointerTable();
    const queue = new RequestQueue({ pointers, audit: new AuditLog(), policies, now: () => clock });
    const ptr = (owner: string) => pointers.create(tensor('float64', [1]), { assets: ['x'], pointers: [], ops: [] }, owner, typeOfValue(tensor('float64', [1]))).id;
    expect(queue.submit({ scientist: 'ds2', pointerId: ptr('ds2'), reason: 'r' }).request.status).toBe('pending');
    clock = 999;
    expect(queue.submit({ scientist: 'ds1', pointerId: ptr('ds1'), reason: 'r' }).request.status).toBe('approved');
    clock = 1000;
    expect(queue.submit({ scientist: 'ds1', pointerId: ptr('ds1'), reason: 'r' }).request.status).toBe('pending');
  });

  it('PO5: an approve rule with no condition is refused (it would make every value public)', () => {
    expect(thrown(() => new PolicySet().add({ action: 'approve' })).reason).toBe('BAD_POLICY');
    expect(thrown(() => new PolicySet().add({ action: 'deny', elementQuota: 3 })).reason).toBe('BAD_POLICY');
  });
});

describe('audit log', () => {
  it('AU1: is append-only: entries are frozen copies, numbered without gaps, exported as JSON', () => {
    const log = new AuditLog(() => 42);
    const event = { type: 'budget' as const, scientist: 'ds1', asset: 'adult', epsilon: 1, delta: 0 };
    const entry = log.append(event);
    event.epsilon = 99; // the caller's object is not the log's
    expect(log.entries()[0]!.event).toMatchObject({ epsilon: 1 });
    expect(() => {
      (entry.event as { epsilon: number }).epsilon = 5;
    }).toThrow(TypeError);
    expect(() => (log.entries() as unknown as unknown[]).push({})).toThrow(TypeError);
    log.append({ type: 'policy', action: 'added', policyId: 'p', summary: 's' });
    const json = JSON.parse(log.exportJson()) as { format: string; entries: Array<{ seq: number }> };
    expect(json.format).toBe('duet-audit/1');
    expect(json.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect('remove' in log || 'clear' in log || 'splice' in log).toBe(false);
  });

  it('AU2: DP spends and refusals, budgets and policy changes are audited', () => {
    const audit = new AuditLog();
    const policies = new PolicySet(Date.now, audit);
    policies.add({ id: 'p1', action: 'approve', tags: ['public'], maxElements: 10 });
    policies.remove('p1');
    const ledger = new BudgetLedger();
    setAuditedBudget(ledger, audit, 'ds1', 'adult', { epsilon: 1, delta: 0 });
    const input = { value: tensor('float64', [3], Float64Array.of(1, 2, 3)), lineage: { assets: ['adult'], pointers: [], ops: ['column'] } };
    auditedDpQuery(ledger, audit, 'ds1', input, { kind: 'count' }, { epsilon: 1 });
    expect(thrown(() => auditedDpQuery(ledger, audit, 'ds1', input, { kind: 'count' }, { epsilon: 0.5 })).reason).toBe('BUDGET_EXCEEDED');
    expect(audit.entries()[0]!.event).toMatchObject({ type: 'policy', action: 'added', summary: 'approve if tags in [public] and elements <= 10' });
    expect(audit.entries().map((e) => [e.event.type, 'epsilon' in e.event ? e.event.epsilon : undefined])).toEqual([
      ['policy', undefined],
      ['policy', undefined],
      ['budget', 1],
      ['dp_spend', 1],
      ['dp_refused', 0.5],
    ]);
  });
});
