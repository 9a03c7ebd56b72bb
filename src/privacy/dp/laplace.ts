import { SCALE_FRACTION_BITS } from './constants';
import { discreteLaplace } from './discrete';
import { granularityFor, releaseOnGrid } from './grid';
import type { Mechanism, PrivacyCost, Release, ReleaseOptions } from './mechanism';
import { checkEpsilon, checkSensitivity } from './params';
import { ceilDyadic, type Rational } from './rational';

// The Laplace mechanism, sampled as the discrete Laplace on a grid (see grid.ts, discrete.ts).
// For integer sensitivity Δ (in grid units), discrete Laplace noise of scale Δ/ε is ε-DP
// (Ghosh, Roughgarden, Sundararajan 2009; CKS 2020 Prop. 4): the same ε as the continuous one.

interface Calibration {
  gamma: number;
  scale: Rational; // in grid units, rounded up
  cost: PrivacyCost;
}

function calibrate(opts: Omit<ReleaseOptions, 'random'>, dims: number): Calibration {
  const epsilon = checkEpsilon(opts.epsilon);
  const l1 = checkSensitivity(opts.sensitivity.l1, 'L1');
  const gamma = opts.integerValued ? 1 : granularityFor(l1);
  const gridSensitivity = opts.integerValued ? Math.ceil(l1) : l1 / gamma + dims;
  const scale = ceilDyadic(gridSensitivity / epsilon, SCALE_FRACTION_BITS);
  return {
    gamma,
    scale,
    cost: {
      epsilon,
      delta: 0,
      mechanism: 'laplace',
      // ε-DP implies (α, min(ε, αε²/2))-RDP (Bun and Steinke 2016, Prop. 1.4 with Mironov 2017 Prop. 1).
      rdp: (alpha) => Math.min(epsilon, (alpha * epsilon * epsilon) / 2),
    },
  };
}

export const laplace: Mechanism = {
  id: 'laplace',
  cost: (opts) => calibrate(opts, 1).cost,
  release(values: Float64Array, opts: ReleaseOptions): Release {
    const c = calibrate(opts, values.length);
    const out = releaseOnGrid(values, c.gamma, () => discreteLaplace(c.scale, opts.random));
    return { values: out, cost: c.cost, scale: (Number(c.scale.n) / Number(c.scale.d)) * c.gamma, granularity: c.gamma };
  },
};
