import { describe, expect, it } from 'vitest';
import {
  bernoulliExpMinus,
  BudgetLedger,
  compose,
  composeBasic,
  defaultMechanisms,
  discreteGaussian,
  discreteLaplace,
  dpCost,
  dpRelease,
  epsilonFromZcdp,
  gaussian,
  laplace,
  MAX_DELTA,
  MAX_EPSILON_PER_QUERY,
  rdpCurve,
  rdpToEpsilon,
  runDpQuery,
  seededRandom,
  zcdpRhoFor,
  type PrivacyCost,
} from '../../src/privacy/dp';
import { thrown } from './ds-helpers';

// Statistical tests use the real CSPRNG, so they can fail by chance. Each compares an estimate
// with its exact expectation using a tolerance of Z = 5 standard errors (by the CLT); one such
// check fails with probability about 5.7e-7, and this file makes fewer than 10, so a spurious
// failure of the file has probability below 1e-5. A real bug (wrong scale, a factor of 2, a
// biased sampler) moves the estimate by far more than 5 standard errors at these sample sizes.
const Z = 5;

/** Exact variance and 4th central moment of an integer distribution given by its unnormalised pmf. */
function moments(pmf: (z: number) => number, reach: number): { variance: number; m4: number } {
  let total = 0;
  let m2 = 0;
  let m4 = 0;
  for (let z = -reach; z <= reach; z++) {
    const p = pmf(z);
    total += p;
    m2 += p * z * z;
    m4 += p * z ** 4;
  }
  return { variance: m2 / total, m4: m4 / total };
}

function sampleMoments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

function checkVariance(xs: number[], variance: number, m4: number): void {
  const n = xs.length;
  const s = sampleMoments(xs);
  // Standard error of the sample variance: sqrt((mu4 - sigma^4) / n); of the mean: sigma / sqrt(n).
  expect(Math.abs(s.variance - variance)).toBeLessThan(Z * Math.sqrt((m4 - variance * variance) / n));
  expect(Math.abs(s.mean)).toBeLessThan(Z * Math.sqrt(variance / n));
}

describe('exact discrete samplers', () => {
  it('Bernoulli(exp(-x)) has the right frequency for x below and above 1', () => {
    for (const [n, d] of [
      [1n, 2n],
      [5n, 2n],
    ] as const) {
      const p = Math.exp(-Number(n) / Number(d));
      const N = 20_000;
      let hits = 0;
      for (let i = 0; i < N; i++) if (bernoulliExpMinus({ n, d })) hits++;
      expect(Math.abs(hits / N - p)).toBeLessThan(Z * Math.sqrt((p * (1 - p)) / N));
    }
  });

  it('DP1: discrete Laplace samples (CSPRNG) have the exact variance and mean 0', () => {
    const t = 5;
    const { variance, m4 } = moments((z) => Math.exp(-Math.abs(z) / t), 400);
    const xs = Array.from({ length: 20_000 }, () => Number(discreteLaplace({ n: BigInt(t), d: 1n })));
    checkVariance(xs, variance, m4);
  });

  it('DP1: discrete Gaussian samples (CSPRNG) have the exact variance and mean 0', () => {
    const sigma2 = 9 / 2;
    const { variance, m4 } = moments((z) => Math.exp(-(z * z) / (2 * sigma2)), 200);
    const xs = Array.from({ length: 20_000 }, () => Number(discreteGaussian({ n: 9n, d: 2n })));
    checkVariance(xs, variance, m4);
  });

  it('is deterministic under an injected seeded source (for reproducible demos), and differs across seeds', () => {
    const a = Array.from({ length: 50 }, ((r) => () => Number(discreteLaplace({ n: 3n, d: 1n }, r)))(seededRandom(1)));
    const b = Array.from({ length: 50 }, ((r) => () => Number(discreteLaplace({ n: 3n, d: 1n }, r)))(seededRandom(1)));
    const c = Array.from({ length: 50 }, ((r) => () => Number(discreteLaplace({ n: 3n, d: 1n }, r)))(seededRandom(2)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('mechanisms', () => {
  it('DP1: the Laplace mechanism on a real sum adds noise of variance 2b², on an exact grid', () => {
    const eps = 1;
    const N = 5000;
    const errs: number[] = [];
    let b = 0;
    for (let i = 0; i < N; i++) {
      const r = laplace.release(Float64Array.of(123.456), { epsilon: eps, sensitivity: { l1: 10, l2: 10 }, integerValued: false });
      b = r.scale;
      // Every output is a whole number of grid steps: its low bits carry no trace of 123.456.
      expect(Number.isInteger(r.values[0]! / r.granularity)).toBe(true);
      errs.push(r.values[0]! - 123.456);
    }
    expect(b).toBeGreaterThanOrEqual(10 / eps); // never less noise than Δ/ε
    expect(b).toBeLessThan((10 / eps) * (1 + 1e-5));
    // Continuous Laplace moments are accurate here: the grid is ~2^-20 of the scale.
    checkVariance(errs, 2 * b * b, 24 * b ** 4);
  });

  it('DP1: the Gaussian mechanism calibrates σ through zCDP (known values) and adds that noise', () => {
    const rho = zcdpRhoFor(1, 1e-5);
    expect(rho).toBeCloseTo(0.0208199383395355, 12);
    expect(epsilonFromZcdp(rho, 1e-5)).toBeCloseTo(1, 12);
    const r = gaussian.release(Float64Array.of(0), { epsilon: 1, delta: 1e-5, sensitivity: { l1: 1, l2: 1 }, integerValued: true });
    expect(r.scale).toBeGreaterThanOrEqual(4.900555168628412);
    expect(r.scale).toBeLessThan(4.900555168628412 + 1e-6);
    const errs = Array.from(
      { length: 5000 },
      () => gaussian.release(Float64Array.of(7), { epsilon: 1, delta: 1e-5, sensitivity: { l1: 1, l2: 1 }, integerValued: true }).values[0]! - 7,
    );
    const s2 = r.scale ** 2; // discrete Gaussian variance at σ≈4.9 equals σ² to many digits
    checkVariance(errs, s2, 3 * s2 * s2);
  });

  it('refuses ε and δ outside their limits, at the edges', () => {
    const s = { l1: 1, l2: 1 };
    expect(laplace.cost({ epsilon: MAX_EPSILON_PER_QUERY, sensitivity: s, integerValued: true }).epsilon).toBe(MAX_EPSILON_PER_QUERY);
    expect(thrown(() => laplace.cost({ epsilon: MAX_EPSILON_PER_QUERY * 1.0001, sensitivity: s, integerValued: true })).reason).toBe('BAD_EPSILON');
    expect(thrown(() => laplace.cost({ epsilon: 0, sensitivity: s, integerValued: true })).reason).toBe('BAD_EPSILON');
    expect(gaussian.cost({ epsilon: 1, delta: MAX_DELTA, sensitivity: s, integerValued: true }).delta).toBe(MAX_DELTA);
    expect(thrown(() => gaussian.cost({ epsilon: 1, delta: MAX_DELTA * 1.0001, sensitivity: s, integerValued: true })).reason).toBe('BAD_DELTA');
  });

  it('registers mechanisms by id and names a missing one', () => {
    const r = defaultMechanisms();
    expect(r.ids()).toEqual(['laplace', 'gaussian']);
    const e = thrown(() => r.get('exponential'));
    expect([e.code, e.reason, e.details['mechanism']]).toEqual(['INVALID_ARGUMENT', 'UNKNOWN_MECHANISM', 'exponential']);
    expect(thrown(() => r.register(laplace)).code).toBe('ALREADY_EXISTS');
  });
});

describe('DP queries', () => {
  it('DP3: values are clamped to the declared bounds; sensitivity comes from the bounds', () => {
    const values = Float64Array.of(-50, 5, 7, 1e9, NaN);
    const r = dpRelease({ kind: 'sum', bounds: [0, 10] }, values, { epsilon: 10 });
    expect(r.sensitivity.l1).toBe(10);
    // clamped sum = 0 + 5 + 7 + 10 = 22; noise b = 1, so |error| > 30 has probability e^-30.
    expect(Math.abs(r.values[0]! - 22)).toBeLessThan(30);
    const count = dpRelease({ kind: 'count' }, values, { epsilon: 10 });
    expect(Math.abs(count.values[0]! - 4)).toBeLessThan(5);
    const mean = dpRelease({ kind: 'mean', bounds: [0, 10] }, values, { epsilon: 10 });
    expect(mean.values[0]).toBeGreaterThanOrEqual(0);
    expect(mean.values[0]).toBeLessThanOrEqual(10);
    expect(mean.cost.epsilon).toBeCloseTo(10, 12);
  });

  it('a DP histogram has integer outputs near the true counts (sensitivity 1)', () => {
    const r = dpRelease({ kind: 'histogram', bins: 4, range: [0, 4] }, Float64Array.of(0, 1, 1, 2, 2, 2, 4, 9), { epsilon: 10 });
    expect(r.values.length).toBe(4);
    for (const v of r.values) expect(Number.isInteger(v)).toBe(true);
    const truth = [1, 2, 3, 2];
    r.values.forEach((v, i) => expect(Math.abs(v - truth[i]!)).toBeLessThan(5));
    expect(thrown(() => dpRelease({ kind: 'histogram', bins: 0, range: [0, 1] }, [], { epsilon: 1 })).reason).toBe('BAD_HISTOGRAM');
  });
});

describe('accounting', () => {
  const g = (rho: number, epsilon = 1, delta = 1e-6): PrivacyCost => ({ epsilon, delta, mechanism: 'gaussian', rdp: (a) => a * rho });

  it('basic composition adds ε and δ', () => {
    const costs: PrivacyCost[] = [
      { epsilon: 0.1, delta: 0, mechanism: 'laplace' },
      { epsilon: 0.2, delta: 1e-6, mechanism: 'gaussian' },
      { epsilon: 0.3, delta: 0, mechanism: 'laplace' },
    ];
    const s = composeBasic(costs);
    expect(s.epsilon).toBeCloseTo(0.6, 15);
    expect(s.delta).toBe(1e-6);
  });

  it('RDP converts a Gaussian (ρ = 0.5, i.e. σ = Δ) to ε = 4.7527 at δ = 1e-5 (known value on the order grid)', () => {
    const eps = rdpToEpsilon(rdpCurve([g(0.5)]), 1e-5);
    expect(eps).toBeCloseTo(4.752728336819823, 9);
    // Never below the optimum over all real orders (4.72839), which a finer grid approaches.
    expect(eps).toBeGreaterThan(4.728386987598748);
  });

  it('RDP composes 100 Gaussian releases (ε=0.1, δ=1e-7 each) to ε = 0.6909 at δ = 1e-5, against 10 for basic', () => {
    const rho = zcdpRhoFor(0.1, 1e-7);
    const costs = Array.from({ length: 100 }, () => g(rho, 0.1, 1e-7));
    expect(composeBasic(costs).epsilon).toBeCloseTo(10, 10);
    const s = compose(costs, 'rdp', 1e-5);
    expect(s.epsilon).toBeCloseTo(0.690928214789607, 9);
    expect(s.delta).toBe(1e-5);
    // One Gaussian release may trade its δ up to the target for a smaller ε...
    const one = compose([g(rho, 0.1, 1e-7)], 'rdp', 1e-5);
    expect(one.epsilon).toBeLessThan(0.1);
    expect(one.delta).toBe(1e-5);
    // ...while for one pure-DP release the basic bound is better, and compose picks it.
    const lap: PrivacyCost = { epsilon: 0.1, delta: 0, mechanism: 'laplace', rdp: (a) => Math.min(0.1, a * 0.005) };
    expect(compose([lap], 'rdp', 1e-5)).toEqual({ epsilon: 0.1, delta: 0 });
  });
});

describe('budget ledger', () => {
  const lap = (epsilon: number): PrivacyCost => ({ epsilon, delta: 0, mechanism: 'laplace', rdp: (a) => Math.min(epsilon, (a * epsilon * epsilon) / 2) });

  it('DP4: spending exactly to the budget passes (0.1 + 0.2 = 0.3), even with float rounding', () => {
    const l = new BudgetLedger();
    l.setBudget('ds1', 'adult', { epsilon: 0.3, delta: 0 });
    l.charge('ds1', ['adult'], lap(0.1));
    l.charge('ds1', ['adult'], lap(0.2));
    expect(l.status('ds1', 'adult')!.remaining.epsilon).toBeCloseTo(0, 12);
    expect(l.status('ds1', 'adult')!.queries).toBe(2);
  });

  it('DP2: one query over the budget is refused, RESOURCE_EXHAUSTED / BUDGET_EXCEEDED with the remaining budget', () => {
    const l = new BudgetLedger();
    l.setBudget('ds1', 'adult', { epsilon: 1, delta: 0 });
    l.charge('ds1', ['adult'], lap(0.75));
    const e = thrown(() => l.charge('ds1', ['adult'], lap(0.25 + 1e-9)));
    expect([e.code, e.reason]).toEqual(['RESOURCE_EXHAUSTED', 'BUDGET_EXCEEDED']);
    expect(e.details).toMatchObject({ remainingEpsilon: 0.25, remainingDelta: 0, requestedEpsilon: 0.25 + 1e-9, asset: 'adult', scientist: 'ds1' });
    expect(l.status('ds1', 'adult')!.queries).toBe(1); // the refused query spent nothing
    l.charge('ds1', ['adult'], lap(0.25));
  });

  it('DP2: δ counts too; a Gaussian query needs a budget with δ > 0', () => {
    const l = new BudgetLedger();
    l.setBudget('ds1', 'a', { epsilon: 5, delta: 0 });
    expect(thrown(() => l.charge('ds1', ['a'], { epsilon: 0.1, delta: 1e-6, mechanism: 'gaussian' })).reason).toBe('BUDGET_EXCEEDED');
  });

  it('DP5: no budget set means no DP query (private by default); budgets are per DS and per asset', () => {
    const l = new BudgetLedger();
    l.setBudget('ds1', 'a', { epsilon: 1, delta: 0 });
    expect([thrown(() => l.charge('ds2', ['a'], lap(0.1))).code, thrown(() => l.charge('ds1', ['b'], lap(0.1))).reason]).toEqual(['PERMISSION_DENIED', 'NO_BUDGET']);
  });

  it('DP6: a query over several assets is charged to each, all or nothing', () => {
    const l = new BudgetLedger();
    l.setBudget('ds1', 'a', { epsilon: 1, delta: 0 });
    l.setBudget('ds1', 'b', { epsilon: 0.1, delta: 0 });
    expect(thrown(() => l.charge('ds1', ['a', 'b'], lap(0.5))).details['asset']).toBe('b');
    expect(l.status('ds1', 'a')!.queries).toBe(0);
    l.charge('ds1', ['a', 'b'], lap(0.1));
    expect(l.status('ds1', 'a')!.spent.epsilon).toBeCloseTo(0.1, 12);
  });

  it('an RDP ledger admits more Gaussian queries than a basic one within the same budget', () => {
    const cost = dpCost({ kind: 'count' }, { epsilon: 0.1, delta: 1e-7, mechanism: 'gaussian' });
    const fill = (composition: 'basic' | 'rdp') => {
      const l = new BudgetLedger();
      l.setBudget('ds1', 'a', { epsilon: 1, delta: 1e-5, composition });
      let n = 0;
      for (; n < 1000; n++) {
        try {
          l.charge('ds1', ['a'], cost);
        } catch {
          break;
        }
      }
      return n;
    };
    expect(fill('basic')).toBe(10);
    expect(fill('rdp')).toBeGreaterThan(100);
  });

  it('runDpQuery charges before it releases: a refused query releases nothing', () => {
    const l = new BudgetLedger();
    l.setBudget('ds1', 'adult', { epsilon: 0.5, delta: 0 });
    const r = runDpQuery(l, 'ds1', ['adult'], { kind: 'mean', bounds: [17, 90] }, Float64Array.of(30, 40), { epsilon: 0.5 });
    expect(r.values.length).toBe(1);
    expect(thrown(() => runDpQuery(l, 'ds1', ['adult'], { kind: 'count' }, [1], { epsilon: 0.01 })).reason).toBe('BUDGET_EXCEEDED');
  });
});
