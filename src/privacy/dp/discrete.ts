import { secureRandom, type RandomSource } from './random';
import { uniformBigInt, type Rational } from './rational';

// Exact samplers for the discrete Laplace and discrete Gaussian distributions, after
// Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020),
// Algorithms 1-3. They use only integer arithmetic on uniformly random integers, so, unlike
// `-b * log(U)` on doubles, the output distribution is exactly the one the proof assumes.

/** Bernoulli(n/d), exactly. */
export function bernoulli(p: Rational, rng: RandomSource = secureRandom): boolean {
  return uniformBigInt(p.d, rng) < p.n;
}

/** Bernoulli(exp(-x)) for rational x >= 0, exactly (CKS Algorithm 1). */
export function bernoulliExpMinus(x: Rational, rng: RandomSource = secureRandom): boolean {
  if (x.n < 0n) throw new RangeError('bernoulliExpMinus needs x >= 0');
  if (x.n <= x.d) {
    let k = 1n;
    while (bernoulli({ n: x.n, d: x.d * k }, rng)) k++;
    return k % 2n === 1n;
  }
  for (let i = x.n / x.d; i > 0n; i--) if (!bernoulliExpMinus({ n: 1n, d: 1n }, rng)) return false;
  return bernoulliExpMinus({ n: x.n % x.d, d: x.d }, rng);
}

/** An integer with P(z) proportional to exp(-|z| / scale), scale = t/s > 0 (CKS Algorithm 2). */
export function discreteLaplace(scale: Rational, rng: RandomSource = secureRandom): bigint {
  const t = scale.n;
  const s = scale.d;
  for (;;) {
    const u = uniformBigInt(t, rng);
    if (!bernoulliExpMinus({ n: u, d: t }, rng)) continue;
    let v = 0n;
    while (bernoulliExpMinus({ n: 1n, d: 1n }, rng)) v++;
    const y = (u + t * v) / s;
    const negative = bernoulli({ n: 1n, d: 2n }, rng);
    if (negative && y === 0n) continue;
    return negative ? -y : y;
  }
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** An integer with P(z) proportional to exp(-z^2 / (2 sigma2)), sigma2 > 0 rational (CKS Algorithm 3). */
export function discreteGaussian(sigma2: Rational, rng: RandomSource = secureRandom): bigint {
  const p = sigma2.n;
  const q = sigma2.d;
  const t = isqrt(p / q) + 1n; // floor(sigma) + 1
  for (;;) {
    const y = discreteLaplace({ n: t, d: 1n }, rng);
    const ay = y < 0n ? -y : y;
    // gamma = (|y| - sigma2/t)^2 / (2 sigma2) = (|y| q t - p)^2 / (2 p q t^2)
    const diff = ay * q * t - p;
    if (bernoulliExpMinus({ n: diff * diff, d: 2n * p * q * t * t }, rng)) return y;
  }
}
