import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/duet/audit';
import { planContext } from '../../src/duet/context';
import { columnOf, type Table } from '../../src/duet/data';
import { loadDemoAssets } from '../../src/duet/demo';
import { auditedDpQuery } from '../../src/duet/dp';
import { evaluatePlan, PlanBuilder, type NodeRef } from '../../src/duet/plan';
import { PointerTable } from '../../src/duet/pointers';
import { BudgetLedger } from '../../src/privacy/dp';
import { tensor, type Tensor } from '../../src/tensor';
import { thrown } from './ds-helpers';

// The whole DS path on the demo data: a plan on Adult, its result kept as a pointer, a DP
// query on the pointer charged to the DO's budget and audited.

async function demo() {
  const store = await loadDemoAssets(async (f) => new Uint8Array(await readFile(`examples/data/${f}`)));
  const pointers = new PointerTable();
  const ledger = new BudgetLedger();
  const audit = new AuditLog();
  const ctx = planContext(store, pointers, { scientist: 'ds1' });
  const run = async (build: (b: PlanBuilder, adult: NodeRef) => NodeRef) => {
    const b = new PlanBuilder();
    const out = await evaluatePlan(b.build(build(b, b.asset('adult'))), ctx);
    return pointers.createFromOutcome(out, 'ds1');
  };
  const input = (id: string) => ({ value: pointers.value(id, 'ds1'), lineage: pointers.info(id, 'ds1').lineage });
  return { store, pointers, ledger, audit, run, input };
}

describe('plans on the demo tensors', () => {
  it('PL6: the mean image of the digit 3 in the MNIST training split', async () => {
    const { store } = await demo();
    const ctx = planContext(store, new PointerTable(), { scientist: 'ds1' });
    const b = new PlanBuilder();
    const threes = b.op('filter', [b.asset('mnist-train-images'), b.op('eq', [b.asset('mnist-train-labels'), 3])]);
    const out = await evaluatePlan(b.build(b.op('mean', [threes], { axis: 0 })), ctx);
    expect(out.type).toMatchObject({ kind: 'tensor', dtype: 'float64', shape: [28, 28] });
    expect(out.lineage).toEqual({ assets: ['mnist-train-images', 'mnist-train-labels'], pointers: [], ops: ['eq', 'filter', 'mean'] });
    const img = out.value as Tensor;
    const labels = store.value('mnist-train-labels') as Tensor;
    const images = store.value('mnist-train-images') as Tensor;
    let n = 0;
    let centre = 0; // pixel (14, 14), computed directly
    (labels.data as Uint8Array).forEach((l, i) => {
      if (l === 3) {
        n++;
        centre += (images.data as Uint8Array)[i * 784 + 14 * 28 + 14]!;
      }
    });
    expect(n).toBeGreaterThan(30);
    expect((img.data as Float64Array)[14 * 28 + 14]).toBeCloseTo(centre / n, 10);
  });
});

describe('DP queries on plan results', () => {
  it('DP7: a DP mean of the ages of women in Adult, with the declared bounds, charged and audited', async () => {
    const { store, ledger, audit, run, input } = await demo();
    ledger.setBudget('ds1', 'adult', { epsilon: 1, delta: 0 });
    const ages = await run((b, adult) => b.op('column', [b.op('filter', [adult, b.op('eq', [b.op('column', [adult], { name: 'sex' }), 'Female'])])], { name: 'age' }));
    const bounds = store.domains('adult')['age']!;
    const r = auditedDpQuery(ledger, audit, 'ds1', input(ages.id), { kind: 'mean', bounds: [bounds.min!, bounds.max!] }, { epsilon: 1 });
    // The true mean, for a loose sanity check: with ~1300 women and ε = 1, the noise is a fraction of a year.
    const t = store.value('adult') as Table;
    const age = columnOf(t, 'age');
    const sex = columnOf(t, 'sex');
    if (age.kind !== 'numeric' || sex.kind !== 'category') throw new Error('schema');
    const female = sex.levels.indexOf('Female');
    let sum = 0;
    let n = 0;
    for (let i = 0; i < t.rowCount; i++) if (sex.codes[i] === female) (sum += age.values[i]!), n++;
    expect(Math.abs(r.values[0]! - sum / n)).toBeLessThan(5);
    expect(ledger.status('ds1', 'adult')!.remaining.epsilon).toBeCloseTo(0, 12);
    expect(audit.entries().map((e) => e.event.type)).toEqual(['dp_spend']);
  });

  it('DP7: values whose lineage mixes records (a reduction) or that are not 1-D are refused before any spend', async () => {
    const { ledger, audit, run, input } = await demo();
    ledger.setBudget('ds1', 'adult', { epsilon: 1, delta: 0 });
    const centred = await run((b, adult) => {
      const age = b.op('column', [adult], { name: 'age' });
      return b.op('sub', [age, b.op('mean', [age])]);
    });
    const e = thrown(() => auditedDpQuery(ledger, audit, 'ds1', input(centred.id), { kind: 'sum', bounds: [-50, 50] }, { epsilon: 0.1 }));
    expect([e.code, e.reason]).toEqual(['FAILED_PRECONDITION', 'NOT_ROW_LEVEL']);
    expect(e.message).toMatch(/mean/);
    const matrix = await run((b, adult) => b.op('to_tensor', [b.op('select', [adult], { columns: ['age', 'hr_per_week'] })]));
    expect(thrown(() => auditedDpQuery(ledger, audit, 'ds1', input(matrix.id), { kind: 'count' }, { epsilon: 0.1 })).reason).toBe('NOT_ROW_LEVEL');
    // Positional inputs: a row slice, or a constant vector lined up with the rows.
    const sliced = await run((b, adult) => b.op('column', [b.op('slice', [adult], { start: [1] })], { name: 'age' }));
    expect(thrown(() => auditedDpQuery(ledger, audit, 'ds1', input(sliced.id), { kind: 'count' }, { epsilon: 0.1 })).message).toMatch(/slice/);
    const shifted = await run((b, adult) => b.op('add', [b.op('column', [adult], { name: 'age' }), tensor('float64', [4000], new Float64Array(4000))]));
    expect(thrown(() => auditedDpQuery(ledger, audit, 'ds1', input(shifted.id), { kind: 'count' }, { epsilon: 0.1 })).message).toMatch(/const_tensor/);
    expect(ledger.status('ds1', 'adult')!.queries).toBe(0);
    expect(audit.size).toBe(0);
  });
});
