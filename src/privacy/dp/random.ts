// Cryptographically secure randomness, the same in browsers and Node (globalThis.crypto).
// Math.random is never used for privacy: its state can be recovered from a few outputs.

const MAX_GET_RANDOM_BYTES = 65536; // Web Crypto refuses larger requests

/** A source of uniform random 32-bit words; injectable so tests can be deterministic. */
export interface RandomSource {
  fill(words: Uint32Array<ArrayBuffer>): void;
}

export const secureRandom: RandomSource = {
  fill(words) {
    for (let i = 0; i < words.length; i += MAX_GET_RANDOM_BYTES / 4) {
      globalThis.crypto.getRandomValues(words.subarray(i, i + MAX_GET_RANDOM_BYTES / 4));
    }
  },
};

const one = new Uint32Array(2);

/** A uniform double in [0, 1) with all 53 bits random. */
export function uniform01(rng: RandomSource = secureRandom): number {
  rng.fill(one);
  return ((one[0]! >>> 5) * 67108864 + (one[1]! >>> 6)) / 9007199254740992;
}

/** A uniform double in (0, 1): never 0, so its logarithm is finite. */
export function uniformOpen01(rng: RandomSource = secureRandom): number {
  for (;;) {
    const u = uniform01(rng);
    if (u !== 0) return u;
  }
}

/** A uniform integer in [0, n) with no modulo bias (rejection sampling); n <= 2^32. */
export function uniformInt(n: number, rng: RandomSource = secureRandom): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`uniformInt needs 1 <= n <= 2^32, got ${n}`);
  const limit = 2 ** 32 - (2 ** 32 % n);
  for (;;) {
    rng.fill(one);
    const x = one[0]!;
    if (x < limit) return x % n;
  }
}

/** A fair coin. */
export function randomBit(rng: RandomSource = secureRandom): 0 | 1 {
  rng.fill(one);
  return (one[0]! & 1) as 0 | 1;
}

/** A deterministic source for tests and reproducible mocks (xorshift128; NOT for privacy). */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0 || 1;
  let b = 362436069;
  let c = 521288629;
  let d = 88675123;
  return {
    fill(words) {
      for (let i = 0; i < words.length; i++) {
        const t = a ^ (a << 11);
        a = b;
        b = c;
        c = d;
        d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
        words[i] = d;
      }
    },
  };
}
