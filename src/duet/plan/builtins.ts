import { ELEMENTWISE_OPS } from './ops/elementwise';
import { histogram } from './ops/histogram';
import { REDUCTION_OPS } from './ops/reduce';
import { SHAPE_OPS } from './ops/shape';
import { TABLE_OPS } from './ops/table';
import { OpRegistry, type OpDef } from './registry';

/** Every built-in op: the default allow-list. */
export const BUILTIN_OPS: readonly OpDef[] = [...ELEMENTWISE_OPS, ...REDUCTION_OPS, ...SHAPE_OPS, ...TABLE_OPS, histogram];

/** A fresh registry holding the built-in allow-list; extensions (a training op) register on it. */
export function defaultRegistry(): OpRegistry {
  const r = new OpRegistry();
  for (const def of BUILTIN_OPS) r.register(def);
  return r;
}
