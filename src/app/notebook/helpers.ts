import { isTensor, type Tensor } from '../../tensor';
import { asFloat64 } from '../../duet/plan/values';
import { isTable, textAt, type Table } from '../../duet/data/table';

// Small helpers in every cell's scope, for turning released values into what charts and
// people read.

const IMAGES = Symbol.for('duet/images');

export interface ImagesOutput {
  readonly [IMAGES]: true;
  readonly tensor: Tensor;
  readonly labels: readonly (number | string)[] | undefined;
  readonly scale: number;
}

/** Most images one output draws: a grid for the eye, not a dump of the data set. */
export const MAX_IMAGES = 256;

export function isImages(x: unknown): x is ImagesOutput {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[IMAGES] === true;
}

/** Draws a [n, h, w] (or [h, w]) tensor of pixel values as greyscale images, with optional labels. */
export function images(t: unknown, options: { labels?: unknown; scale?: number } = {}): ImagesOutput {
  if (!isTensor(t) || (t.shape.length !== 3 && t.shape.length !== 2)) throw new TypeError('images() takes a tensor of shape [n, height, width] or [height, width].');
  const labels = options.labels === undefined ? undefined : toArray(options.labels).map((x) => (typeof x === 'number' ? x : String(x)));
  return { [IMAGES]: true, tensor: t, labels, scale: options.scale ?? 3 };
}

/** A tensor or column as a plain array (numbers, or text for text columns). */
export function toArray(x: unknown): (number | string | null)[] {
  if (isTensor(x)) return Array.from(asFloat64(x));
  if (Array.isArray(x)) return x as (number | string | null)[];
  if (typeof x === 'object' && x !== null && 'kind' in x) {
    const c = x as { kind: string };
    if (c.kind === 'category' || c.kind === 'string') {
      const col = x as Parameters<typeof textAt>[0];
      const n = col.kind === 'category' ? col.codes.length : col.values.length;
      return Array.from({ length: n }, (_, i) => textAt(col, i));
    }
  }
  throw new TypeError('toArray() takes a tensor, a text column or an array.');
}

/** A table as an array of row objects (what Plot's marks take). */
export function toRows(t: unknown): Record<string, number | string | null>[] {
  if (!isTable(t)) throw new TypeError('toRows() takes a table.');
  const table = t as Table;
  return Array.from({ length: table.rowCount }, (_, r) => {
    const row: Record<string, number | string | null> = {};
    for (const c of table.columns) row[c.name] = c.kind === 'numeric' ? Number(c.values[r]) : textAt(c, r);
    return row;
  });
}
