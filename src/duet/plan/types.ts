import type { DType, Tensor } from '../../tensor';
import type { CategoryColumn, ColumnSchema, StringColumn, Table } from '../data/table';

// An op plan is a small expression graph, in topological order: a node's inputs are indexes
// of earlier nodes, so a plan has no cycles by construction and is checked in one pass.

export interface Aggregation {
  /** The column to aggregate ('' for count of rows). */
  readonly column: string;
  readonly fn: string;
  /** The output column's name (default `${fn}_${column}`). */
  readonly name?: string;
}

export type Arg = number | string | boolean | readonly number[] | readonly string[] | readonly Aggregation[];
export type Args = Readonly<Record<string, Arg>>;

export type PlanNode =
  | { readonly kind: 'asset'; readonly assetId: string }
  | { readonly kind: 'pointer'; readonly pointerId: string }
  | { readonly kind: 'constant'; readonly value: number | string | boolean | Tensor }
  | { readonly kind: 'op'; readonly op: string; readonly inputs: readonly number[]; readonly args: Args };

export interface Plan {
  readonly nodes: readonly PlanNode[];
  /** Index of the node whose value is the result. */
  readonly output: number;
}

/** A text column as a value (category or free text): what `column` gives for a text column. */
export type TextColumn = CategoryColumn | StringColumn;

/** What a plan node evaluates to. */
export type PlanValue = Tensor | Table | TextColumn | string;

/**
 * The static type of a node, from shape inference. `exact: false` means the first dimension
 * (rows) is an upper bound, as after a filter, whose row count is only known when it runs.
 */
export type ValueType =
  | { readonly kind: 'tensor'; readonly dtype: DType; readonly shape: readonly number[]; readonly exact: boolean }
  | { readonly kind: 'table'; readonly columns: readonly ColumnSchema[]; readonly rows: number; readonly exact: boolean }
  | { readonly kind: 'text'; readonly length: number; readonly exact: boolean }
  | { readonly kind: 'string' };

/** Which assets, pointers and ops produced a value. */
export interface Lineage {
  readonly assets: readonly string[];
  readonly pointers: readonly string[];
  /** Op names, in evaluation order, including those behind input pointers. */
  readonly ops: readonly string[];
}
