import { ARRAY_OF, isTensor, sizeOf, tensor, type Tensor } from '../../../tensor';
import { isTable, takeRows } from '../../data/table';
import { badArgument, formatShape, shapeMismatch } from '../errors';
import type { OpDef } from '../registry';
import type { Args, ValueType } from '../types';
import { asFloat64, describeType, f64 } from '../values';

type TensorType = Extract<ValueType, { kind: 'tensor' }>;

function tensorType(op: string, t: ValueType): TensorType {
  if (t.kind !== 'tensor') throw badArgument(op, `expects a tensor, got a ${describeType(t)}.`);
  return t;
}

// matmul follows NumPy for 1-D and 2-D operands: a vector on the left is a row, on the right a column.
function matmulShape(a: readonly number[], b: readonly number[]): { m: number; k: number; n: number; out: number[] } {
  if (a.length < 1 || a.length > 2 || b.length < 1 || b.length > 2) throw shapeMismatch('matmul', a, b, 'must be 1-D or 2-D');
  const m = a.length === 2 ? a[0]! : 1;
  const k = a[a.length - 1]!;
  const k2 = b[0]!;
  const n = b.length === 2 ? b[1]! : 1;
  if (k !== k2) throw shapeMismatch('matmul', a, b, `cannot be multiplied (inner dimensions ${k} and ${k2} differ)`);
  const out = [...(a.length === 2 ? [m] : []), ...(b.length === 2 ? [n] : [])];
  return { m, k, n, out };
}

const matmul: OpDef = {
  name: 'matmul',
  category: 'linalg',
  summary: 'matrix product of 1-D/2-D tensors (NumPy rules)',
  arity: [2, 2],
  args: {},
  infer: ([a, b]) => {
    const ta = tensorType('matmul', a!);
    const tb = tensorType('matmul', b!);
    return { kind: 'tensor', dtype: 'float64', shape: matmulShape(ta.shape, tb.shape).out, exact: ta.exact && tb.exact };
  },
  cost: ([a, b]) => {
    const { m, k, n } = matmulShape((a as TensorType).shape, (b as TensorType).shape);
    return m * k * n;
  },
  evaluate: ([a, b]) => {
    if (!isTensor(a) || !isTensor(b)) throw badArgument('matmul', 'expects tensors.');
    const { m, k, n, out } = matmulShape(a.shape, b.shape);
    const A = asFloat64(a);
    const B = asFloat64(b);
    const C = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const x = A[i * k + p]!;
        if (x === 0) continue;
        for (let j = 0; j < n; j++) C[i * n + j]! += x * B[p * n + j]!;
      }
    }
    return f64(out, C);
  },
};

function perm(op: string, rank: number, args: Args): number[] {
  const axes = (args['axes'] as readonly number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...axes].map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y);
  if (axes.length !== rank || sorted.some((a, i) => a !== i)) throw badArgument(op, `axes [${axes.join(', ')}] is not a permutation of ${rank} axes.`);
  return axes.map((a) => (a < 0 ? a + rank : a));
}

const transpose: OpDef = {
  name: 'transpose',
  category: 'shape',
  summary: 'permutes axes (default: reverses them)',
  arity: [1, 1],
  args: { axes: { kind: 'ints', min: -32, max: 32 } },
  infer: ([t], args) => {
    const x = tensorType('transpose', t!);
    const p = perm('transpose', x.shape.length, args);
    return { ...x, shape: p.map((i) => x.shape[i]!) };
  },
  evaluate: ([v], args) => {
    if (!isTensor(v)) throw badArgument('transpose', 'expects a tensor.');
    const rank = v.shape.length;
    const p = perm('transpose', rank, args);
    const outShape = p.map((i) => v.shape[i]!);
    const inStrides = stridesOf(v.shape);
    const n = sizeOf(v.shape);
    const out = new ARRAY_OF[v.dtype](n) as { [i: number]: number | bigint };
    const src = v.data as { [i: number]: number | bigint };
    const idx = new Array<number>(rank).fill(0);
    for (let k = 0; k < n; k++) {
      let off = 0;
      for (let d = 0; d < rank; d++) off += idx[d]! * inStrides[p[d]!]!;
      out[k] = src[off]!;
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d]! < outShape[d]!) break;
        idx[d] = 0;
      }
    }
    return tensor(v.dtype, outShape, out as never);
  },
};

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

function reshapeTo(from: readonly number[], spec: readonly number[]): number[] {
  const n = sizeOf(from);
  const free = spec.filter((d) => d === -1).length;
  if (free > 1 || spec.some((d) => d < -1)) throw badArgument('reshape', `shape ${formatShape(spec)} may hold at most one -1 and no other negative size.`);
  const known = spec.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = spec.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (!out.every(Number.isInteger) || sizeOf(out) !== n) throw shapeMismatch('reshape', from, spec, `differ in size (${n} elements cannot be reshaped)`);
  return out;
}

const reshape: OpDef = {
  name: 'reshape',
  category: 'shape',
  summary: 'same elements, new shape (one -1 is inferred)',
  arity: [1, 1],
  args: { shape: { kind: 'ints', required: true, min: -1 } },
  infer: ([t], args) => {
    const x = tensorType('reshape', t!);
    return { ...x, shape: reshapeTo(x.shape, args['shape'] as number[]) };
  },
  cost: () => 0, // a view: no element is touched
  evaluate: ([v], args) => {
    if (!isTensor(v)) throw badArgument('reshape', 'expects a tensor.');
    return tensor(v.dtype, reshapeTo(v.shape, args['shape'] as number[]), v.data as never);
  },
};

function sliceBounds(dims: readonly number[], args: Args): Array<[number, number]> {
  const starts = (args['start'] as readonly number[] | undefined) ?? [];
  const stops = (args['stop'] as readonly number[] | undefined) ?? [];
  if (starts.length > dims.length || stops.length > dims.length) throw badArgument('slice', `start/stop name more axes than the ${dims.length} there are.`);
  return dims.map((d, i) => {
    const norm = (x: number | undefined, dflt: number) => (x === undefined ? dflt : Math.min(Math.max(x < 0 ? x + d : x, 0), d));
    const lo = norm(starts[i], 0);
    return [lo, Math.max(lo, norm(stops[i], d))];
  });
}

const slice: OpDef = {
  name: 'slice',
  category: 'shape',
  summary: 'rows [start, stop) of a table, or a box of a tensor along its leading axes (negative = from the end)',
  arity: [1, 1],
  args: { start: { kind: 'ints' }, stop: { kind: 'ints' } },
  infer: ([t], args) => {
    if (t!.kind === 'table') {
      const [[lo, hi]] = sliceBounds([t!.rows], args) as [[number, number]];
      return { ...t!, rows: hi - lo };
    }
    const x = tensorType('slice', t!);
    const b = sliceBounds(x.shape, args);
    return { ...x, shape: b.map(([lo, hi]) => hi - lo) };
  },
  evaluate: ([v], args) => {
    if (isTable(v)) {
      const [[lo, hi]] = sliceBounds([v.rowCount], args) as [[number, number]];
      return takeRows(v, Int32Array.from({ length: hi - lo }, (_, i) => lo + i));
    }
    if (!isTensor(v)) throw badArgument('slice', 'expects a tensor or a table.');
    return sliceTensor(v, sliceBounds(v.shape, args));
  },
};

function sliceTensor(v: Tensor, b: Array<[number, number]>): Tensor {
  const outShape = b.map(([lo, hi]) => hi - lo);
  const strides = stridesOf(v.shape);
  const rank = v.shape.length;
  const n = sizeOf(outShape);
  const out = new ARRAY_OF[v.dtype](n) as { [i: number]: number | bigint };
  const src = v.data as { [i: number]: number | bigint };
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += (b[d]![0] + idx[d]!) * strides[d]!;
    out[k] = src[off]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return tensor(v.dtype, outShape, out as never);
}

export const SHAPE_OPS: readonly OpDef[] = [matmul, transpose, reshape, slice];
