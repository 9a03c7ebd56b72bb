// A small seeded PRNG (xorshift32). Random-k sends only its seed and the receiver
// regenerates the same indices, so both sides must draw the same numbers: Math.random
// cannot be seeded, and crypto randomness cannot be replayed.

export function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** A uniform float in [0, 1). */
export function uniform(next: () => number): number {
  return next() / 2 ** 32;
}

/** A fresh seed from the platform's CSPRNG (browsers and Node both have globalThis.crypto). */
export function freshSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** k distinct indices from [0, n), ascending, chosen by Floyd's algorithm from `seed`. */
export function sampleIndices(n: number, k: number, seed: number): Uint32Array {
  const next = xorshift32(seed);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(uniform(next) * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
}
