import { isTensor, type Tensor } from '../../../tensor';
import { textAt } from '../../data/table';
import { broadcastShapes, zipBroadcast } from '../broadcast';
import { badArgument } from '../errors';
import type { OpDef } from '../registry';
import type { Args, PlanValue, ValueType } from '../types';
import { asFloat64, bools, describeType, f64, isTextColumn } from '../values';

// Elementwise arithmetic gives float64 (one numeric type keeps inference and DP simple; the
// DO's tab has the memory for it at these sizes). Comparisons and logic give bool.

type Num = (x: number, y: number) => number;

function tensorInput(op: string, t: ValueType): Extract<ValueType, { kind: 'tensor' }> {
  if (t.kind !== 'tensor') throw badArgument(op, `expects numeric tensors, got a ${describeType(t)}; use "column" to take a numeric column from a table.`);
  return t;
}

function binaryType(op: string, out: 'float64' | 'bool', inputs: readonly ValueType[]): ValueType {
  const a = tensorInput(op, inputs[0]!);
  const b = tensorInput(op, inputs[1]!);
  return { kind: 'tensor', dtype: out, shape: broadcastShapes(op, a.shape, b.shape), exact: a.exact && b.exact };
}

function runBinary(op: string, out: 'float64' | 'bool', a: PlanValue, b: PlanValue, f: Num): Tensor {
  if (!isTensor(a) || !isTensor(b)) throw badArgument(op, 'expects numeric tensors.');
  const shape = broadcastShapes(op, a.shape, b.shape);
  const n = shape.reduce((x, y) => x * y, 1);
  const data = out === 'bool' ? new Uint8Array(n) : new Float64Array(n);
  zipBroadcast(asFloat64(a), a.shape, asFloat64(b), b.shape, shape, data, f);
  return out === 'bool' ? bools(shape, data as Uint8Array) : f64(shape, data as Float64Array);
}

function arithmetic(name: string, summary: string, f: Num): OpDef {
  return {
    name,
    category: 'elementwise',
    summary,
    arity: [2, 2],
    args: {},
    infer: (inputs) => binaryType(name, 'float64', inputs),
    evaluate: ([a, b]) => runBinary(name, 'float64', a!, b!, f),
  };
}

function unary(name: string, summary: string, f: (x: number, args: Args) => number, args: OpDef['args'] = {}): OpDef {
  return {
    name,
    category: 'elementwise',
    summary,
    arity: [1, 1],
    args,
    infer: ([t], a) => {
      const x = tensorInput(name, t!);
      if (name === 'clip' && typeof a['min'] === 'number' && typeof a['max'] === 'number' && a['min'] > a['max']) {
        throw badArgument(name, `min ${a['min']} is above max ${a['max']}.`);
      }
      return { ...x, dtype: 'float64' };
    },
    evaluate: ([v], a) => {
      if (!isTensor(v)) throw badArgument(name, 'expects a numeric tensor.');
      const src = asFloat64(v);
      const out = new Float64Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = f(src[i]!, a);
      return f64(v.shape, out);
    },
  };
}

// eq/ne also compare a text column with a string ("sex == 'Female'"); missing text is never equal.
function comparison(name: string, summary: string, f: (x: number, y: number) => boolean): OpDef {
  const textOk = name === 'eq' || name === 'ne';
  return {
    name,
    category: 'comparison',
    summary,
    arity: [2, 2],
    args: {},
    infer: (inputs) => {
      const [a, b] = inputs as [ValueType, ValueType];
      const text = a.kind === 'text' ? a : b.kind === 'text' ? b : undefined;
      if (text !== undefined) {
        const other = text === a ? b : a;
        if (!textOk || other.kind !== 'string') throw badArgument(name, `a text column can only be compared (eq, ne) with a string, not a ${describeType(other)}.`);
        return { kind: 'tensor', dtype: 'bool', shape: [text.length], exact: text.exact };
      }
      return binaryType(name, 'bool', inputs);
    },
    evaluate: ([a, b]) => {
      if (isTextColumn(a) || isTextColumn(b)) {
        const col = (isTextColumn(a) ? a : b) as Extract<PlanValue, { kind: 'category' | 'string' }>;
        const s = (isTextColumn(a) ? b : a) as string;
        const n = col.kind === 'category' ? col.codes.length : col.values.length;
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const v = textAt(col, i);
          out[i] = v === null ? (name === 'ne' ? 1 : 0) : (v === s) === (name === 'eq') ? 1 : 0;
        }
        return bools([n], out);
      }
      return runBinary(name, 'bool', a!, b!, (x, y) => (f(x, y) ? 1 : 0));
    },
  };
}

function logical(name: string, summary: string, arity: 1 | 2, f: (x: boolean, y: boolean) => boolean): OpDef {
  return {
    name,
    category: 'comparison',
    summary,
    arity: [arity, arity],
    args: {},
    infer: (inputs) => {
      for (const t of inputs) if (t.kind !== 'tensor' || t.dtype !== 'bool') throw badArgument(name, `expects bool tensors (from a comparison), got a ${describeType(t)}.`);
      return arity === 1 ? inputs[0]! : binaryType(name, 'bool', inputs);
    },
    evaluate: (inputs) => {
      const [a, b] = inputs;
      if (arity === 1) {
        if (!isTensor(a)) throw badArgument(name, 'expects a bool tensor.');
        return bools(a.shape, Uint8Array.from(a.data as Uint8Array, (x) => (f(x !== 0, false) ? 1 : 0)));
      }
      return runBinary(name, 'bool', a!, b!, (x, y) => (f(x !== 0, y !== 0) ? 1 : 0));
    },
  };
}

export const ELEMENTWISE_OPS: readonly OpDef[] = [
  arithmetic('add', 'a + b, elementwise with broadcasting', (x, y) => x + y),
  arithmetic('sub', 'a - b', (x, y) => x - y),
  arithmetic('mul', 'a * b', (x, y) => x * y),
  arithmetic('div', 'a / b (x/0 is ±Infinity or NaN, as in IEEE 754)', (x, y) => x / y),
  arithmetic('pow', 'a ** b', (x, y) => x ** y),
  unary('neg', '-a', (x) => -x),
  unary('abs', '|a|', (x) => Math.abs(x)),
  unary('exp', 'e ** a', (x) => Math.exp(x)),
  unary('log', 'natural log (NaN below 0)', (x) => Math.log(x)),
  unary('sqrt', 'square root (NaN below 0)', (x) => Math.sqrt(x)),
  unary('clip', 'clamps a into [min, max]', (x, a) => Math.min(Math.max(x, (a['min'] as number | undefined) ?? -Infinity), (a['max'] as number | undefined) ?? Infinity), {
    min: { kind: 'number' },
    max: { kind: 'number' },
  }),
  comparison('eq', 'a == b (also text column == string)', (x, y) => x === y),
  comparison('ne', 'a != b (also text column != string)', (x, y) => x !== y),
  comparison('lt', 'a < b', (x, y) => x < y),
  comparison('le', 'a <= b', (x, y) => x <= y),
  comparison('gt', 'a > b', (x, y) => x > y),
  comparison('ge', 'a >= b', (x, y) => x >= y),
  logical('and', 'a AND b (bool tensors)', 2, (x, y) => x && y),
  logical('or', 'a OR b (bool tensors)', 2, (x, y) => x || y),
  logical('not', 'NOT a (bool tensor)', 1, (x) => !x),
];
