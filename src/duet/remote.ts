import { DuetError } from '../errors';
import { isTensor, type Tensor } from '../tensor';
import { NO_REASON } from './ds-constants';
import type { DpRelease, PointerView, RequestView } from './ds-types';
import { PlanBuilder, type NodeRef } from './plan/builder';
import type { Aggregation, Args, Plan, PlanValue } from './plan/types';

// A remote value, written the way a notebook reads: `duet.asset('adult').col('age').mean()`.
//
// Lazy, and why: each method returns a new Remote that only records the op. Nothing crosses
// the wire until the value is needed (`await x.run()`, `.get()`, `.getDP()`, `.request()`):
// then the whole expression goes to the DO as one typed plan, which the DO validates as a
// whole (allow-list, shapes, cost) before running any of it. One round trip per result rather
// than one per op; no intermediate values pile up on the DO; and a cell needs no `await` on
// every line. A Remote that has run remembers its pointer, so expressions built on it send
// the pointer, not the ops again.

export type Operand = Remote | number | string | boolean | Tensor;

type ExprNode =
  | { readonly kind: 'asset'; readonly assetId: string }
  | { readonly kind: 'pointer'; readonly pointerId: string }
  | { readonly kind: 'op'; readonly op: string; readonly inputs: readonly Operand[]; readonly args: Args };

export interface GetOptions {
  /** Why you need it: the DO reads this before deciding. */
  reason?: string;
  /** How long to wait for the DO (also the request's timeout on the DO's side). */
  timeoutMs?: number;
  /** Aborting withdraws the request. */
  signal?: AbortSignal;
}

export interface DpOptions {
  epsilon: number;
  delta?: number;
  mechanism?: 'laplace' | 'gaussian';
  /** Clamping bounds for sum and mean; default: the declared range of the column. */
  bounds?: readonly [number, number];
  /** Default: the op this value ends with (count, sum, mean or histogram). */
  query?: 'count' | 'sum' | 'mean' | 'histogram';
  bins?: number;
  range?: readonly [number, number];
  /** The asset column whose declared range gives the bounds; default: the column this value reads. */
  boundsColumn?: string;
}

/** What a Remote asks of the data scientist that made it. */
export interface RemoteHost {
  runPlan(plan: Plan): Promise<PointerView>;
  fetch(pointerId: string, reason: string, options: GetOptions): { submitted: Promise<RequestView>; value: Promise<PlanValue> };
  dpQuery(pointerId: string, query: DpQueryInput): Promise<DpRelease>;
  deletePointer(pointerId: string): Promise<void>;
}

export interface DpQueryInput {
  query: string;
  epsilon: number;
  delta?: number;
  mechanism?: string;
  bounds?: readonly [number, number];
  bins?: number;
  range?: readonly [number, number];
  boundsColumn?: string;
}

const REMOTE_BRAND = Symbol.for('duet/remote');
const DP_QUERIES = ['count', 'sum', 'mean', 'histogram'] as const;

export function isRemote(x: unknown): x is Remote {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[REMOTE_BRAND] === true;
}

export class Remote {
  readonly [REMOTE_BRAND] = true;
  readonly #host: RemoteHost;
  readonly #node: ExprNode;
  #pointer: PointerView | undefined;
  #running: Promise<PointerView> | undefined;
  #fetching: { submitted: Promise<RequestView>; value: Promise<PlanValue> } | undefined;

  constructor(host: RemoteHost, node: ExprNode) {
    this.#host = host;
    this.#node = node;
  }

  // ---- building (nothing is sent) ----

  /** Any op in the DO's allow-list, with this value as the first input. */
  op(name: string, inputs: readonly Operand[] = [], args: Args = {}): Remote {
    return new Remote(this.#host, { kind: 'op', op: name, inputs: [this, ...inputs], args });
  }

  add(x: Operand): Remote { return this.op('add', [x]); }
  sub(x: Operand): Remote { return this.op('sub', [x]); }
  mul(x: Operand): Remote { return this.op('mul', [x]); }
  div(x: Operand): Remote { return this.op('div', [x]); }
  pow(x: Operand): Remote { return this.op('pow', [x]); }
  neg(): Remote { return this.op('neg'); }
  abs(): Remote { return this.op('abs'); }
  exp(): Remote { return this.op('exp'); }
  log(): Remote { return this.op('log'); }
  sqrt(): Remote { return this.op('sqrt'); }
  clip(min?: number, max?: number): Remote { return this.op('clip', [], { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) }); }
  eq(x: Operand): Remote { return this.op('eq', [x]); }
  ne(x: Operand): Remote { return this.op('ne', [x]); }
  lt(x: Operand): Remote { return this.op('lt', [x]); }
  le(x: Operand): Remote { return this.op('le', [x]); }
  gt(x: Operand): Remote { return this.op('gt', [x]); }
  ge(x: Operand): Remote { return this.op('ge', [x]); }
  and(x: Operand): Remote { return this.op('and', [x]); }
  or(x: Operand): Remote { return this.op('or', [x]); }
  not(): Remote { return this.op('not'); }

  sum(opts: { axis?: number } = {}): Remote { return this.op('sum', [], opts); }
  mean(opts: { axis?: number } = {}): Remote { return this.op('mean', [], opts); }
  std(opts: { axis?: number; ddof?: 0 | 1 } = {}): Remote { return this.op('std', [], opts); }
  var(opts: { axis?: number; ddof?: 0 | 1 } = {}): Remote { return this.op('var', [], opts); }
  min(opts: { axis?: number } = {}): Remote { return this.op('min', [], opts); }
  max(opts: { axis?: number } = {}): Remote { return this.op('max', [], opts); }
  count(opts: { axis?: number } = {}): Remote { return this.op('count', [], opts); }

  matmul(x: Operand): Remote { return this.op('matmul', [x]); }
  transpose(axes?: readonly number[]): Remote { return this.op('transpose', [], axes ? { axes } : {}); }
  reshape(shape: readonly number[]): Remote { return this.op('reshape', [], { shape }); }
  /** Rows (or a box along the leading axes) from start to stop; negative counts from the end. */
  slice(start?: number | readonly number[], stop?: number | readonly number[]): Remote {
    const list = (v: number | readonly number[]) => (typeof v === 'number' ? [v] : v);
    return this.op('slice', [], { ...(start !== undefined ? { start: list(start) } : {}), ...(stop !== undefined ? { stop: list(stop) } : {}) });
  }
  select(columns: readonly string[]): Remote { return this.op('select', [], { columns }); }
  col(name: string): Remote { return this.op('column', [], { name }); }
  column(name: string): Remote { return this.col(name); }
  filter(mask: Remote): Remote { return this.op('filter', [mask]); }
  groupBy(keys: string | readonly string[], aggregations: readonly Aggregation[]): Remote {
    return this.op('group_by', [], { keys: typeof keys === 'string' ? [keys] : keys, aggregations });
  }
  histogram(opts: { bins: number; range: readonly [number, number] }): Remote { return this.op('histogram', [], { bins: opts.bins, range: opts.range }); }
  toTensor(columns?: readonly string[]): Remote { return this.op('to_tensor', [], columns ? { columns } : {}); }

  /** The plan this value compiles to (what the DO will validate and run). */
  plan(): Plan {
    const b = new PlanBuilder();
    const memo = new Map<Remote, NodeRef>();
    const visit = (r: Remote): NodeRef => {
      const hit = memo.get(r);
      if (hit) return hit;
      let ref: NodeRef;
      const n = r.#node;
      if (r.#pointer) ref = b.pointer(r.#pointer.pointerId);
      else if (n.kind === 'asset') ref = b.asset(n.assetId);
      else if (n.kind === 'pointer') ref = b.pointer(n.pointerId);
      else ref = b.op(n.op, n.inputs.map((x) => (isRemote(x) ? visit(x) : x)), n.args);
      memo.set(r, ref);
      return ref;
    };
    return b.build(visit(this));
  }

  /** A readable form, e.g. `adult.column(name: age).mean()`. */
  toString(): string {
    const n = this.#node;
    if (n.kind === 'asset') return n.assetId;
    if (n.kind === 'pointer') return `pointer(${n.pointerId.slice(0, 8)})`;
    const [head, ...rest] = n.inputs;
    const args = [
      ...rest.map((x) => (isRemote(x) ? x.toString() : isTensor(x) ? `tensor[${x.shape.join('x')}]` : JSON.stringify(x))),
      ...Object.entries(n.args).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
    ];
    return `${head === undefined ? '' : isRemote(head) ? head.toString() : JSON.stringify(head)}.${n.op}(${args.join(', ')})`;
  }

  // ---- remote (each of these sends something) ----

  /** The pointer id once run, else undefined. */
  get pointerId(): string | undefined {
    return this.#pointer?.pointerId ?? (this.#node.kind === 'pointer' ? this.#node.pointerId : undefined);
  }

  /** Runs the expression on the DO (once) and gives its pointer: inferred type and lineage, no values. */
  run(): Promise<PointerView> {
    if (this.#pointer) return Promise.resolve(this.#pointer);
    if (this.#running) return this.#running;
    const running = this.#host.runPlan(this.plan()).then(
      (p) => {
        this.#pointer = p;
        return p;
      },
      (e: unknown) => {
        this.#running = undefined; // a failed run can be retried (e.g. after the DO adds an asset)
        throw e;
      },
    );
    this.#running = running;
    return running;
  }

  /** Same as run(): what the DS may know of the value. */
  info(): Promise<PointerView> {
    return this.run();
  }

  /** Asks the DO for the value; resolves once the DO has the request. `get()` then waits for it. */
  async request(reason: string, options: Omit<GetOptions, 'reason'> = {}): Promise<RequestView> {
    return this.#fetch(reason, options).submitted;
  }

  /**
   * The value, once the DO (or a DO policy) approves. Rejects with a DuetError on denial
   * (PERMISSION_DENIED/REQUEST_DENIED, with the DO's message), on timeout
   * (DEADLINE_EXCEEDED/REQUEST_EXPIRED) or on any refusal; never resolves without a value.
   */
  async get(options: GetOptions = {}): Promise<PlanValue> {
    const f = this.#fetching ?? this.#fetch(options.reason ?? NO_REASON, options);
    return f.value;
  }

  /** get() for a value of one element (a mean, a count): the number itself. */
  async getNumber(options: GetOptions = {}): Promise<number> {
    const v = await this.get(options);
    if (!isTensor(v) || v.data.length !== 1) {
      throw new DuetError('INVALID_ARGUMENT', `getNumber() needs a value of one element; this is ${isTensor(v) ? `a tensor of shape [${v.shape.join(', ')}]` : `a ${typeof v === 'string' ? 'string' : 'table or column'}`}: use get().`, { reason: 'BAD_ARGUMENT' });
    }
    return Number(v.data[0]);
  }

  /** A differentially private answer, charged to the DO's budget for you on the asset. */
  async getDP(options: DpOptions): Promise<DpRelease> {
    const n = this.#node;
    let input: Remote = this;
    let query = options.query;
    let bins = options.bins;
    let range = options.range;
    // x.mean().getDP(...) is "the DP mean of x": the op this value ends with names the query.
    if (query === undefined && n.kind === 'op' && (DP_QUERIES as readonly string[]).includes(n.op) && n.args['axis'] === undefined && isRemote(n.inputs[0])) {
      query = n.op as DpOptions['query'];
      input = n.inputs[0];
      if (n.op === 'histogram') {
        bins ??= n.args['bins'] as number;
        range ??= n.args['range'] as readonly [number, number];
      }
    }
    if (query === undefined) {
      throw new DuetError('INVALID_ARGUMENT', 'Say which DP query: call getDP on x.mean(), x.sum(), x.count() or x.histogram(...), or pass { query }.', { reason: 'BAD_DP_QUERY' });
    }
    const p = await input.run();
    const boundsColumn = options.boundsColumn ?? input.#readsColumn();
    return this.#host.dpQuery(p.pointerId, {
      query,
      epsilon: options.epsilon,
      ...(options.delta !== undefined ? { delta: options.delta } : {}),
      ...(options.mechanism !== undefined ? { mechanism: options.mechanism } : {}),
      ...(options.bounds !== undefined ? { bounds: options.bounds } : {}),
      ...(bins !== undefined ? { bins } : {}),
      ...(range !== undefined ? { range } : {}),
      ...(boundsColumn !== undefined ? { boundsColumn } : {}),
    });
  }

  /** Deletes the DO's copy. Later use of this pointer fails with NOT_FOUND, as the DO says. */
  async delete(): Promise<void> {
    const id = this.pointerId;
    if (id === undefined) return; // never ran: nothing on the DO's side
    await this.#host.deletePointer(id);
  }

  // The column a DP input reads, when rows were only selected on the way: its declared range
  // is then a sound default for the clamping bounds.
  #readsColumn(): string | undefined {
    let r: Remote | undefined = this;
    while (r) {
      const n: ExprNode = r.#node;
      if (n.kind !== 'op') return undefined;
      if (n.op === 'column') return n.args['name'] as string;
      if (n.op !== 'filter') return undefined;
      r = isRemote(n.inputs[0]) ? n.inputs[0] : undefined;
    }
    return undefined;
  }

  #fetch(reason: string, options: Omit<GetOptions, 'reason'>): { submitted: Promise<RequestView>; value: Promise<PlanValue> } {
    const submitted = this.run().then((p) => {
      const f = this.#host.fetch(p.pointerId, reason, options);
      value.resolveWith(f.value);
      return f.submitted;
    });
    const value = deferred<PlanValue>();
    submitted.catch((e: unknown) => value.reject(e));
    const f = { submitted, value: value.promise };
    this.#fetching = f;
    const clear = () => {
      if (this.#fetching === f) this.#fetching = undefined;
    };
    // Handled here so an unawaited request() cannot raise an unhandled rejection; callers still see it.
    value.promise.then(clear, clear);
    submitted.catch(() => undefined);
    return f;
  }
}

function deferred<T>(): { promise: Promise<T>; resolveWith(p: Promise<T>): void; reject(e: unknown): void } {
  let resolve!: (v: T | Promise<T>) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolveWith: (p) => resolve(p), reject };
}
