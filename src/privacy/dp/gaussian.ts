import { DEFAULT_DELTA, SCALE_FRACTION_BITS } from './constants';
import { discreteGaussian } from './discrete';
import { granularityFor, releaseOnGrid } from './grid';
import type { Mechanism, PrivacyCost, Release, ReleaseOptions } from './mechanism';
import { checkDelta, checkEpsilon, checkSensitivity } from './params';
import { ceilDyadic, type Rational } from './rational';

// The Gaussian mechanism, sampled as the discrete Gaussian on a grid (CKS 2020). With L2
// sensitivity Δ and variance σ² (grid units) it satisfies ρ-zCDP with ρ = Δ²/(2σ²) (CKS Thm. 4),
// i.e. (α, αρ)-RDP for every α > 1. We calibrate σ from (ε, δ) through zCDP: ρ-zCDP implies
// (ρ + 2√(ρ ln(1/δ)), δ)-DP (Bun and Steinke 2016, Prop. 1.3), so
//   ρ = (√(ln(1/δ) + ε) − √(ln(1/δ)))²,  σ = Δ/√(2ρ),
// which, unlike the classic σ = Δ√(2 ln(1.25/δ))/ε, holds for every ε.

interface Calibration {
  gamma: number;
  sigma2: Rational; // in grid units, rounded up
  cost: PrivacyCost;
}

export function zcdpRhoFor(epsilon: number, delta: number): number {
  const l = Math.log(1 / delta);
  return (Math.sqrt(l + epsilon) - Math.sqrt(l)) ** 2;
}

export function epsilonFromZcdp(rho: number, delta: number): number {
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

function calibrate(opts: Omit<ReleaseOptions, 'random'>, dims: number): Calibration {
  const epsilon = checkEpsilon(opts.epsilon);
  const delta = checkDelta(opts.delta ?? DEFAULT_DELTA, true);
  const l2 = checkSensitivity(opts.sensitivity.l2, 'L2');
  const gamma = opts.integerValued ? 1 : granularityFor(l2);
  const gridSensitivity = opts.integerValued ? Math.ceil(l2) : l2 / gamma + Math.sqrt(dims);
  const rho = zcdpRhoFor(epsilon, delta);
  const sigma2 = ceilDyadic((gridSensitivity * gridSensitivity) / (2 * rho), SCALE_FRACTION_BITS);
  // σ² was rounded up, so the true ρ is at most the requested one: charge the requested one,
  // which keeps the cost independent of the query's size.
  return { gamma, sigma2, cost: { epsilon, delta, mechanism: 'gaussian', rdp: (alpha) => alpha * rho } };
}

export const gaussian: Mechanism = {
  id: 'gaussian',
  cost: (opts) => calibrate(opts, 1).cost,
  release(values: Float64Array, opts: ReleaseOptions): Release {
    const c = calibrate(opts, values.length);
    const out = releaseOnGrid(values, c.gamma, () => discreteGaussian(c.sigma2, opts.random));
    return { values: out, cost: c.cost, scale: Math.sqrt(Number(c.sigma2.n) / Number(c.sigma2.d)) * c.gamma, granularity: c.gamma };
  },
};
