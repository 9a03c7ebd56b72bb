import { secureRandom, type RandomSource } from './random';

// Exact rationals over BigInt, for the discrete samplers: every comparison they make is exact,
// so no floating-point rounding can shift an output's probability (the attack on naive samplers).

export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

export function rational(n: bigint, d: bigint = 1n): Rational {
  if (d <= 0n) throw new RangeError('denominator must be positive');
  return { n, d };
}

/** The smallest multiple of 2^-bits that is >= x (x > 0, finite): rounding up never lowers noise. */
export function ceilDyadic(x: number, bits: number): Rational {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`expected a positive finite number, got ${x}`);
  const d = 1n << BigInt(bits);
  const scaled = x * 2 ** bits; // exact: multiplying by a power of two only moves the exponent
  const n = BigInt(Math.ceil(scaled));
  return { n: n === 0n ? 1n : n, d };
}

const words = new Uint32Array(8);

/** A uniform BigInt in [0, n), by rejection (no modulo bias). */
export function uniformBigInt(n: bigint, rng: RandomSource = secureRandom): bigint {
  if (n <= 0n) throw new RangeError('uniformBigInt needs n > 0');
  if (n === 1n) return 0n;
  const bits = (n - 1n).toString(2).length;
  const nWords = Math.ceil(bits / 32);
  const buf = nWords <= words.length ? words.subarray(0, nWords) : new Uint32Array(nWords);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    rng.fill(buf);
    let x = 0n;
    for (const w of buf) x = (x << 32n) | BigInt(w);
    x &= mask;
    if (x < n) return x;
  }
}
