import { tensor, type Tensor } from '../../tensor';
import { decodeUtf8, maybeGunzip } from './bytes';
import { inferColumn, type Cell } from './infer';
import { checkShapeLimits, parseError, resolveLoadLimits, type LoadOptions } from './options';
import { enforceLimit } from '../../limits';
import { table, type Table } from './table';

// JSON in two shapes: an array of flat records (a table; keys in order of first appearance,
// a missing key is a missing value), or a (nested, rectangular) array of numbers (a float64 tensor).

export function loadJson(bytes: Uint8Array, opts: LoadOptions): Table | Tensor {
  const file = opts.name;
  const limits = resolveLoadLimits(opts);
  const text = decodeUtf8(maybeGunzip(bytes, file, limits), file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const where = pos ? { line: lineOf(text, Number(pos[1])) } : {};
    throw parseError(file, `it is not valid JSON (${msg}).`, where, e);
  }
  if (!Array.isArray(doc)) throw parseError(file, 'expected a JSON array (of records or of numbers) at the top level.');
  enforceLimit('MAX_ROWS', doc.length, limits.maxRows, `The number of rows in ${file}`);
  if (doc.length > 0 && doc.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) return recordsTable(doc as Record<string, unknown>[], file, limits);
  return numberTensor(doc, file);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function recordsTable(rows: Record<string, unknown>[], file: string, limits: ReturnType<typeof resolveLoadLimits>): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) {
      if (v !== null && typeof v === 'object') throw parseError(file, `record ${i} field "${k}" is nested; records must be flat.`);
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
        checkShapeLimits(limits, file, rows.length, names.length);
      }
    }
  });
  return table(names.map((n) => inferColumn(n, rows.map((r) => r[n] as Cell))));
}

function numberTensor(doc: unknown[], file: string): Tensor {
  const shape: number[] = [];
  for (let cur: unknown = doc; Array.isArray(cur); cur = cur[0]) shape.push(cur.length);
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(count);
  let k = 0;
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw parseError(file, `element ${path} is ${JSON.stringify(node)}; expected a number (or an array of flat records).`);
      out[k++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw parseError(file, `element ${path || '[]'} should be an array of ${shape[depth]} items: the nested arrays are not rectangular.`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(doc, 0, '');
  return tensor('float64', shape, out);
}
