import { describe, expect, it } from 'vitest';
import {
  MAX_CATEGORY_LEVELS,
  MAX_ELEMENTS_PROCESSED,
  MAX_HISTOGRAM_BINS,
  MAX_OUTPUT_ELEMENTS,
  PREVIEW_ELEMENTS,
} from '../../src/duet/constants';
import { inferColumn } from '../../src/duet/data';
import { PlanBuilder, validatePlan, type ValueType, type ValidationContext } from '../../src/duet/plan';
import { previewOf } from '../../src/duet/preview';
import { dpRelease, MAX_DP_BINS } from '../../src/privacy/dp';
import { tensor } from '../../src/tensor';
import { thrown } from './ds-helpers';

// Each named limit, tested at its edge with the real constant. Plan limits need no real data:
// validation works on types alone, so a [MAX_OUTPUT_ELEMENTS] tensor costs nothing to describe.

function typesOnly(types: Record<string, ValueType>): ValidationContext {
  return { assetType: (id) => types[id], pointerType: () => undefined };
}

const vec = (n: number): ValueType => ({ kind: 'tensor', dtype: 'float64', shape: [n], exact: true });

describe('data-science limits at their edges', () => {
  it('PL5: MAX_OUTPUT_ELEMENTS', () => {
    const b = new PlanBuilder();
    const plan = b.build(b.op('neg', [b.asset('x')]));
    expect(validatePlan(plan, typesOnly({ x: vec(MAX_OUTPUT_ELEMENTS) })).outputElements).toBe(MAX_OUTPUT_ELEMENTS);
    const e = thrown(() => validatePlan(plan, typesOnly({ x: vec(MAX_OUTPUT_ELEMENTS + 1) })));
    expect([e.code, e.details['limit']]).toEqual(['RESOURCE_EXHAUSTED', 'MAX_OUTPUT_ELEMENTS']);
  });

  it('PL5: MAX_ELEMENTS_PROCESSED', () => {
    // matmul of [10, k] by [k, 10] costs 10*k*10 multiply-adds; asset nodes cost nothing.
    const b = new PlanBuilder();
    const plan = b.build(b.op('matmul', [b.asset('a'), b.asset('b')]));
    const costOf = (k: number) =>
      validatePlan(plan, typesOnly({ a: { kind: 'tensor', dtype: 'float64', shape: [10, k], exact: true }, b: { kind: 'tensor', dtype: 'float64', shape: [k, 10], exact: true } })).elementsProcessed;
    const k = MAX_ELEMENTS_PROCESSED / 100;
    expect(Number.isInteger(k)).toBe(true);
    expect(costOf(k)).toBe(MAX_ELEMENTS_PROCESSED);
    const e = thrown(() => costOf(k + 1));
    expect([e.code, e.details['limit']]).toEqual(['RESOURCE_EXHAUSTED', 'MAX_ELEMENTS_PROCESSED']);
  });

  it('MAX_HISTOGRAM_BINS and MAX_DP_BINS', () => {
    const hist = (bins: number) => {
      const b = new PlanBuilder();
      return validatePlan(b.build(b.op('histogram', [b.asset('x')], { bins, range: [0, 1] })), typesOnly({ x: vec(10) }));
    };
    expect(hist(MAX_HISTOGRAM_BINS).outputElements).toBe(MAX_HISTOGRAM_BINS);
    expect(thrown(() => hist(MAX_HISTOGRAM_BINS + 1)).reason).toBe('BAD_ARGUMENT');
    expect(dpRelease({ kind: 'histogram', bins: MAX_DP_BINS, range: [0, 1] }, [0.5], { epsilon: 1 }).values.length).toBe(MAX_DP_BINS);
    expect(thrown(() => dpRelease({ kind: 'histogram', bins: MAX_DP_BINS + 1, range: [0, 1] }, [0.5], { epsilon: 1 })).reason).toBe('BAD_HISTOGRAM');
  });

  it('MAX_CATEGORY_LEVELS decides category vs free text', () => {
    const cells = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(inferColumn('c', cells(MAX_CATEGORY_LEVELS)).kind).toBe('category');
    expect(inferColumn('c', cells(MAX_CATEGORY_LEVELS + 1)).kind).toBe('string');
  });

  it('PREVIEW_ELEMENTS bounds what the DO previews', () => {
    const p = previewOf(tensor('float64', [PREVIEW_ELEMENTS + 5]));
    expect(p.kind === 'tensor' && p.head.length).toBe(PREVIEW_ELEMENTS);
  });
});
