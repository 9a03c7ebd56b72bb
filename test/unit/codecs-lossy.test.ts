import { describe, expect, it } from 'vitest';
import { createDgcCodec, createQsgdCodec, createRandomKCodec, createTopKCodec, dgcSelect, type LossyCodec } from '../../src/codecs';
import { xorshift32 } from '../../src/codecs/lossy/random';
import { sampledCandidates, topKIndices } from '../../src/codecs/lossy/select';
import { float16ArrayFrom, float16ToFloat32, type DType } from '../../src/tensor';
import { codeOf } from '../helpers/errors';
import { FLOAT_DTYPES, prng } from '../helpers/payloads';

// Gradients: heavy-tailed values so top-k has a clear head.
function gradient(n: number, seed: number): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => {
    const u = r() - 0.5;
    return u * u * u * 100 + (r() < 0.01 ? (r() - 0.5) * 1000 : 0);
  });
}

function bytesOf(dtype: DType, v: number[]): Uint8Array {
  const a = dtype === 'float16' ? float16ArrayFrom(v) : dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v);
  return new Uint8Array(a.buffer);
}

function valuesOf(dtype: DType, b: Uint8Array): Float64Array {
  const c = b.slice();
  if (dtype === 'float16') return Float64Array.from(float16ToFloat32(new Uint16Array(c.buffer)));
  return Float64Array.from(dtype === 'float32' ? new Float32Array(c.buffer) : new Float64Array(c.buffer));
}

/** What the codec's working precision makes of the input (float16 and float32 work in float32). */
function working(dtype: DType, v: number[]): Float64Array {
  const x = valuesOf(dtype, bytesOf(dtype, v));
  return dtype === 'float64' ? x : Float64Array.from(Float32Array.from(x));
}

const makers: [string, () => LossyCodec][] = [
  ['topk', () => createTopKCodec({ ratio: 0.05 })],
  ['dgc', () => createDgcCodec({ ratio: 0.05, momentum: 0, seed: 7 })],
  ['randomk', () => createRandomKCodec({ ratio: 0.05, seed: 7 })],
  ['qsgd', () => createQsgdCodec({ seed: 7 })],
];

describe.each(makers)('lossy codec %s', (name, make) => {
  it.each(FLOAT_DTYPES)('LC1: decodes %s to the same dtype and length, within the stated error', async (dtype) => {
    const codec = make();
    const v = gradient(5000, 3);
    const x = working(dtype, v);
    const out = valuesOf(dtype, await codec.decode(await codec.encode({ dtype, bytes: bytesOf(dtype, v) })));
    expect(out.length).toBe(v.length);
    if (name === 'qsgd') {
      for (let b = 0; b < 5000; b += 512) {
        const slice = x.subarray(b, b + 512);
        const norm = Math.sqrt(slice.reduce((s, y) => s + y * y, 0));
        const bound = norm / 15 + (dtype === 'float16' ? 1e-3 * norm : 1e-6 * norm);
        for (let i = 0; i < slice.length; i++) expect(Math.abs(out[b + i]! - slice[i]!)).toBeLessThanOrEqual(bound);
      }
    } else {
      let sent = 0;
      for (let i = 0; i < out.length; i++) {
        if (out[i] === 0) continue;
        sent++;
        const expected = dtype === 'float16' ? valuesOf('float16', bytesOf('float16', [x[i]!]))[0]! : x[i]!;
        expect(out[i]).toBe(expected);
      }
      expect(sent).toBeLessThanOrEqual(Math.ceil(5000 * 0.05));
    }
  });

  it('LC1: refuses integer dtypes and non-finite gradients', async () => {
    const codec = make();
    expect(codec.accepts('int32')).toBe(false);
    expect(await codeOf(codec.encode({ dtype: 'int32', bytes: new Uint8Array(16) }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(codec.encode({ dtype: 'float32', bytes: bytesOf('float32', [1, NaN, 2]) }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(codec.encode({ dtype: 'float64', bytes: bytesOf('float64', [1, Infinity]), stream: 's' }))).toBe('INVALID_ARGUMENT');
    expect(codec.residual('s')).toBeUndefined(); // the half-added stream was dropped
  });

  it.each(FLOAT_DTYPES)('LC2: error feedback conserves mass over steps (%s)', async (dtype) => {
    const codec = make();
    let before: Float64Array = new Float64Array(3000);
    const total = new Float64Array(3000);
    const sentTotal = new Float64Array(3000);
    for (let step = 0; step < 6; step++) {
      const v = gradient(3000, 100 + step);
      const g = working(dtype, v);
      const out = valuesOf(dtype, await codec.decode(await codec.encode({ dtype, bytes: bytesOf(dtype, v), stream: 'w1' })));
      const after = codec.residual('w1')!;
      const exact = name !== 'qsgd' && dtype !== 'float16';
      for (let i = 0; i < 3000; i++) {
        const acc = dtype === 'float64' ? before[i]! + g[i]! : Math.fround(before[i]! + g[i]!);
        if (exact) expect(out[i]! + after[i]!).toBe(acc);
        else expect(Math.abs(out[i]! + after[i]! - acc)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(acc)));
        total[i]! += g[i]!;
        sentTotal[i]! += out[i]!;
      }
      before = after;
    }
    // Over all steps: everything put in was either sent or is still in the residual.
    for (let i = 0; i < 3000; i++) expect(Math.abs(sentTotal[i]! + before[i]! - total[i]!)).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(total[i]!)));
  });

  it('LC6: a stream with a changed length is FAILED_PRECONDITION until reset', async () => {
    const codec = make();
    await codec.encode({ dtype: 'float32', bytes: bytesOf('float32', gradient(100, 1)), stream: 'a' });
    expect(await codeOf(codec.encode({ dtype: 'float32', bytes: bytesOf('float32', gradient(101, 1)), stream: 'a' }))).toBe('FAILED_PRECONDITION');
    expect(await codeOf(codec.encode({ dtype: 'float64', bytes: bytesOf('float64', gradient(100, 1)), stream: 'a' }))).toBe('FAILED_PRECONDITION');
    codec.resetStream('a');
    expect(codec.residual('a')).toBeUndefined();
    expect(await codeOf(codec.encode({ dtype: 'float32', bytes: bytesOf('float32', gradient(101, 1)), stream: 'a' }))).toBe('ok');
  });

  it('LC7: without a stream nothing is remembered', async () => {
    const codec = make();
    await codec.encode({ dtype: 'float32', bytes: bytesOf('float32', gradient(100, 1)) });
    expect(codec.residual('')).toBeUndefined();
  });
});

describe.each(makers)('lossy codec %s, frame size without encoding', (name, make) => {
  it.each(FLOAT_DTYPES)('NG24: frameBytes(%s, bytes) is the frame encode() writes (DGC: within a fifth, at its target count)', async (dtype) => {
    for (const n of [1, 511, 5000, 70_001]) {
      const codec = make();
      const bytes = bytesOf(dtype, gradient(n, n));
      const frame = await codec.encode({ dtype, bytes });
      const predicted = codec.frameBytes(dtype, bytes.byteLength);
      if (name === 'dgc') expect(Math.abs(frame.byteLength - predicted) / predicted, `n=${n}`).toBeLessThanOrEqual(0.2);
      else expect(predicted, `n=${n}`).toBe(frame.byteLength);
    }
  });
});

describe('top-k', () => {
  it('LC3: sends exactly ceil(ratio n) elements, the largest magnitudes', async () => {
    const codec = createTopKCodec({ ratio: 0.01 });
    const v = gradient(10_000, 9);
    const out = valuesOf('float64', await codec.decode(await codec.encode({ dtype: 'float64', bytes: bytesOf('float64', v) })));
    const kept = [...out.keys()].filter((i) => out[i] !== 0);
    expect(kept.length).toBe(100);
    const threshold = [...v].map(Math.abs).sort((a, b) => b - a)[99]!;
    for (const i of kept) expect(Math.abs(v[i]!)).toBeGreaterThanOrEqual(threshold);
  });

  it('LC3: ties at the threshold still give exactly k', async () => {
    const codec = createTopKCodec({ ratio: 0.1 });
    const out = valuesOf('float32', await codec.decode(await codec.encode({ dtype: 'float32', bytes: bytesOf('float32', new Array(1000).fill(1)) })));
    expect(out.filter((x) => x !== 0).length).toBe(100);
  });

  // The oracle: sort every index by magnitude (ties by index), keep k, ascending.
  const byMagnitude = (a: Float32Array, k: number) =>
    Uint32Array.from([...a.keys()].sort((i, j) => Math.abs(a[j]!) - Math.abs(a[i]!) || i - j).slice(0, k)).sort();

  it.each([
    ['heavy-tailed', (i: number, r: () => number) => gradient(1, i)[0]! * (r() < 0.5 ? 1 : -1)],
    ['mostly zero, ties at the k-th', (i: number) => (i % 97 === 0 ? 5 : i % 13 === 0 ? 1 : 0)],
    ['all equal', () => 2],
    ['rising, the head at the end', (i: number) => i],
  ])('LC3: on large inputs the sampled route picks exactly the k largest (%s)', (_, value) => {
    const r = prng(3);
    const a = Float32Array.from({ length: 200_000 }, (_, i) => value(i, r));
    for (const k of [1, 2000, 9000]) {
      expect(sampledCandidates(a, k), 'the fast route is taken').toBeDefined();
      expect(topKIndices(a, k)).toEqual(byMagnitude(a, k));
    }
  });

  it('LC3: small inputs or a large share skip sampling and stay exact', () => {
    const a = Float32Array.from(gradient(5000, 4));
    expect(sampledCandidates(a, 50)).toBeUndefined();
    expect(topKIndices(a, 50)).toEqual(byMagnitude(a, 50));
    const b = Float32Array.from(gradient(200_000, 5));
    expect(sampledCandidates(b, 60_000)).toBeUndefined();
  });
});

describe('DGC', () => {
  it('LC4: a sampled threshold, moved toward the target, selects between 0.8k and k', () => {
    const v = Float32Array.from(gradient(200_000, 5));
    for (const k of [200, 2000, 20_000]) {
      const s = dgcSelect(v, k, xorshift32(1));
      expect(s.sampled).toBe(true);
      expect(s.indices.length).toBeLessThanOrEqual(k);
      expect(s.indices.length).toBeGreaterThanOrEqual(Math.floor(0.8 * k * 0.8)); // after at most 4 relaxations
    }
  });

  it('LC4: momentum correction and factor masking: v += m u + g; u, v are zero where sent', async () => {
    const m = 0.9;
    const codec = createDgcCodec({ ratio: 0.02, momentum: m, seed: 3 });
    const n = 4000;
    let u: Float64Array = new Float64Array(n);
    let v: Float64Array = new Float64Array(n);
    for (let step = 0; step < 4; step++) {
      const g = Float64Array.from(gradient(n, 50 + step));
      const out = valuesOf('float64', await codec.decode(await codec.encode({ dtype: 'float64', bytes: new Uint8Array(g.buffer), stream: 'p' })));
      const uAfter = codec.momentum('p')!;
      const vAfter = codec.residual('p')!;
      for (let i = 0; i < n; i++) {
        const uNew = m * u[i]! + g[i]!;
        expect(out[i]! + vAfter[i]!).toBeCloseTo(v[i]! + uNew, 9);
        if (out[i] !== 0) {
          expect(vAfter[i]).toBe(0);
          expect(uAfter[i]).toBe(0);
        } else expect(uAfter[i]).toBeCloseTo(uNew, 9);
      }
      u = uAfter;
      v = vAfter;
    }
  });

  it('LC4: local gradient clipping scales the gradient to clipNorm', async () => {
    const codec = createDgcCodec({ ratio: 0.5, momentum: 0, clipNorm: 1, seed: 3 });
    const g = Float64Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1)); // norm 10
    const out = valuesOf('float64', await codec.decode(await codec.encode({ dtype: 'float64', bytes: new Uint8Array(g.buffer), stream: 'c' })));
    const res = codec.residual('c')!;
    for (let i = 0; i < 100; i++) expect(out[i]! + res[i]!).toBeCloseTo(g[i]! / 10, 12);
  });
});

describe('random-k', () => {
  it('LC5: sends k distinct elements from a seed, so its frame carries no indices', async () => {
    const v = bytesOf('float32', gradient(10_000, 2));
    const r = createRandomKCodec({ ratio: 0.01, seed: 42 });
    const frame = await r.encode({ dtype: 'float32', bytes: v });
    const t = await createTopKCodec({ ratio: 0.01 }).encode({ dtype: 'float32', bytes: v });
    expect(frame.byteLength).toBe(24 + 16 + 400);
    expect(t.byteLength).toBe(24 + 8 + 400 + 400);
    const out = valuesOf('float32', await r.decode(frame));
    expect(out.filter((x) => x !== 0).length).toBe(100);
    // Same seed, same choice.
    const again = await createRandomKCodec({ ratio: 0.01, seed: 42 }).encode({ dtype: 'float32', bytes: v });
    expect(Buffer.from(again).equals(Buffer.from(frame))).toBe(true);
  });
});
