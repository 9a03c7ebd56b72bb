import { describe, expect, it } from 'vitest';
import {
  DTYPES,
  ARRAY_OF,
  float16ArrayFrom,
  float16ToFloat32,
  fromFloat16Bits,
  hashBytes,
  isTensor,
  tensor,
  tensorBytes,
  tensorFromBytes,
  toFloat16Bits,
} from '../../src/tensor';
import { isDuetError } from '../../src/errors';

describe('tensor', () => {
  it('TS1: builds every dtype, including 0-d and empty shapes', () => {
    for (const dtype of DTYPES) {
      for (const shape of [[], [0], [3, 0, 2], [2, 3]]) {
        const t = tensor(dtype, shape);
        expect(isTensor(t)).toBe(true);
        expect(t.data).toBeInstanceOf(ARRAY_OF[dtype]);
        expect(t.data.length).toBe(shape.reduce((a, b) => a * b, 1));
      }
    }
  });

  it('TS2: refuses data of the wrong length or type with a typed error', () => {
    const bad = () => tensor('float32', [2, 2], new Float32Array(3));
    expect(bad).toThrowError(/needs 4 elements/);
    try {
      tensor('float64', [1], new Float32Array(1) as unknown as Float64Array);
    } catch (e) {
      expect(isDuetError(e) && e.reason).toBe('BAD_DTYPE');
    }
    expect(() => tensor('int8', [-1])).toThrowError(/non-negative/);
  });

  it('TS3: round-trips through bytes without a copy when aligned, and with one when not', () => {
    const t = tensor('float64', [2, 2], new Float64Array([1, 2, 3, 4]));
    const aligned = tensorFromBytes('float64', [2, 2], tensorBytes(t));
    expect(aligned.data.buffer).toBe(t.data.buffer);
    const shifted = new Uint8Array(33);
    shifted.set(tensorBytes(t), 1);
    const copy = tensorFromBytes('float64', [2, 2], shifted.subarray(1));
    expect(Array.from(copy.data)).toEqual([1, 2, 3, 4]);
    expect(() => tensorFromBytes('float64', [2, 2], new Uint8Array(31))).toThrowError(/needs 32 bytes/);
    // A Node Buffer's slice() is a view, so the copy must not rely on it.
    const fromBuffer = tensorFromBytes('float64', [2, 2], Buffer.from(shifted.buffer, 1, 32));
    expect(Array.from(fromBuffer.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('float16', () => {
  it('TS4: matches known half-precision encodings', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65520, 0x7c00],
      [Infinity, 0x7c00], [2 ** -24, 0x0001], [2 ** -14, 0x0400], [0.333251953125, 0x3555], [1 + 2 ** -11, 0x3c00],
    ];
    for (const [v, bits] of cases) expect(toFloat16Bits(v), String(v)).toBe(bits);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
  });

  it('TS4: round-trips every finite half value exactly', () => {
    for (let b = 0; b < 0x10000; b++) {
      if ((b & 0x7c00) === 0x7c00) continue;
      expect(toFloat16Bits(fromFloat16Bits(b))).toBe(b);
    }
    expect(Array.from(float16ToFloat32(float16ArrayFrom([0.5, -3])))).toEqual([0.5, -3]);
  });
});

describe('hash', () => {
  it('TS5: is stable over split input and differs on one changed byte', async () => {
    const a = new Uint8Array(1000).map((_, i) => i & 0xff);
    const whole = await hashBytes(a);
    expect(await hashBytes(a.subarray(0, 10), a.subarray(10))).toBe(whole);
    const b = a.slice();
    b[500] = b[500]! ^ 1;
    expect(await hashBytes(b)).not.toBe(whole);
    expect(whole).toMatch(/^[0-9a-f]{32}$/);
  });
});
