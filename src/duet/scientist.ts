import type { MessageShape } from '@bufbuild/protobuf';
import { DuetError } from '../errors';
import { tensorFromBytes, assertDType } from '../tensor';
import { randomId } from '../util/bytes';
import { Emitter } from '../util/emitter';
import type { RequestUpdateSchema } from '../wire/gen/duet/v1/datascience_pb';
import { REQUEST_TIMEOUT_MS } from './constants';
import { CALL_RECONNECT_WAIT_MS, RELEASE_GRACE_MS } from './ds-constants';
import type { DsLink } from './ds-link';
import {
  BudgetUpdateEvent,
  CancelRequest,
  DeletePointer,
  DpQuery,
  GetMock,
  ListAssets,
  ListBudgets,
  RequestUpdateEvent,
  RequestValue,
  RunPlan,
  StoreUpdateEvent,
} from './ds-methods';
import {
  assetFromProto,
  budgetFromProto,
  dpReleaseFromProto,
  requestFromProto,
  valueTypeFromProto,
  type AssetView,
  type BudgetView,
  type DpRelease,
  type PointerView,
  type RequestView,
  type TransferView,
} from './ds-types';
import { lineageFromProto, planToProto } from './plan/codec';
import type { Plan, PlanValue } from './plan/types';
import { decodeValue } from './release';
import { Remote, type DpQueryInput, type GetOptions, type RemoteHost } from './remote';
import type { Transfers } from './transfers';

// The data scientist's side of a Duet: the `duet` object in notebook cells and Node scripts.
// It holds no data: it lists the DO's store (metadata), builds remote values (remote.ts), and
// receives only what the DO approved (over the tensor path) or released with DP.

type RequestUpdate = MessageShape<typeof RequestUpdateSchema>;

export interface ScientistOptions {
  /** The DO's peer id; default: the one connected peer. */
  ownerPeerId?: string;
}

interface ScientistEvents {
  /** A request was made or changed status. */
  request: RequestView;
  /** The DO changed or spent our budgets. */
  budgets: BudgetView[];
  /** The DO changed the store. */
  store: AssetView[];
  transfer: TransferView;
}

/** The store as a DS sees it: metadata and mocks only. */
export interface RemoteStore {
  /** Every asset's metadata (never values). */
  list(): Promise<AssetView[]>;
  /** The last listing received, without asking again. */
  readonly cached: readonly AssetView[];
  /** The DO's synthetic mock of an asset (when offered): made from the listing, never from real rows. */
  mock(assetId: string): Promise<PlanValue>;
}

export class DataScientist extends Emitter<ScientistEvents> implements RemoteHost {
  readonly store: RemoteStore;
  #assets: AssetView[] = [];
  #budgets: BudgetView[] = [];
  readonly #requests = new Map<string, RequestView>();
  readonly #waiting = new Map<string, (u: RequestUpdate) => void>();
  readonly #transfers = new Map<string, TransferView>();

  constructor(
    private readonly link: DsLink,
    private readonly transfers: Pick<Transfers, 'expect'>,
    private readonly options: ScientistOptions = {},
  ) {
    super();
    const self = this;
    this.store = {
      list: () => this.#list(),
      get cached() {
        return self.#assets;
      },
      mock: (id) => this.#mock(id),
    };
    link.onEvent(RequestUpdateEvent, (u) => {
      if (u.request) this.#note(requestFromProto(u.request));
      this.#waiting.get(u.transferId)?.(u);
    });
    link.onEvent(BudgetUpdateEvent, (u) => {
      this.#budgets = u.budgets.map(budgetFromProto);
      this.emit('budgets', this.#budgets);
    });
    link.onEvent(StoreUpdateEvent, (u) => {
      this.#assets = u.assets.map(assetFromProto);
      this.emit('store', this.#assets);
    });
  }

  /** A remote value for an asset, by id (or by name, once the store was listed). */
  asset(idOrName: string): Remote {
    const byName = this.#assets.find((a) => a.id !== idOrName && a.name === idOrName);
    return new Remote(this, { kind: 'asset', assetId: byName?.id ?? idOrName });
  }

  /** A remote value for a pointer id the DO gave earlier. */
  pointer(pointerId: string): Remote {
    return new Remote(this, { kind: 'pointer', pointerId });
  }

  /** Our budgets on every asset, as the DO keeps them. */
  async budgets(): Promise<BudgetView[]> {
    const res = await this.#again(() => this.link.call(ListBudgets, {}, this.#callOptions()));
    this.#budgets = res.budgets.map(budgetFromProto);
    this.emit('budgets', this.#budgets);
    return this.#budgets;
  }

  /** The budgets last heard of. */
  get cachedBudgets(): readonly BudgetView[] {
    return this.#budgets;
  }

  /** Requests made on this connection, newest first. */
  requests(): RequestView[] {
    return [...this.#requests.values()].reverse();
  }

  transferViews(): TransferView[] {
    return [...this.#transfers.values()];
  }

  // ---- RemoteHost: what Remote values call ----

  /** Sends a plan as it is (Remote values do this for you); the DO validates and runs it. */
  async runPlan(plan: Plan): Promise<PointerView> {
    const res = await this.link.call(RunPlan, { plan: planToProto(plan) }, this.#callOptions());
    const type = valueTypeFromProto(res.info);
    if (type === undefined) throw new DuetError('INVALID_ARGUMENT', 'The data owner answered with a value type this version cannot read.', { reason: 'MALFORMED_MESSAGE' });
    return {
      pointerId: res.pointerId,
      type,
      lineage: res.lineage ? lineageFromProto(res.lineage) : { assets: [], pointers: [], ops: [] },
      elementsProcessed: Number(res.elementsProcessed),
    };
  }

  async deletePointer(pointerId: string): Promise<void> {
    await this.link.call(DeletePointer, { pointerId }, this.#callOptions());
  }

  async dpQuery(pointerId: string, q: DpQueryInput): Promise<DpRelease> {
    const res = await this.link.call(
      DpQuery,
      {
        pointerId,
        query: q.query,
        epsilon: q.epsilon,
        delta: q.delta ?? 0,
        mechanism: q.mechanism ?? '',
        ...(q.bounds ? { lower: q.bounds[0], upper: q.bounds[1] } : {}),
        bins: q.bins ?? 0,
        ...(q.range ? { rangeLo: q.range[0], rangeHi: q.range[1] } : {}),
        boundsColumn: q.boundsColumn ?? '',
      },
      this.#callOptions(),
    ).catch((e: unknown) => {
      // A refusal over budget carries what is left: show it here too.
      const err = DuetError.from(e);
      if (err.reason === 'BUDGET_EXCEEDED') void this.budgets().catch(() => undefined);
      throw err;
    });
    return dpReleaseFromProto(q.query, res);
  }

  /**
   * Asks for a pointer's value. The transfer is expected before the DO is asked, so a value
   * approved at once by a policy cannot arrive before we listen for it.
   */
  fetch(pointerId: string, reason: string, options: GetOptions): { submitted: Promise<RequestView>; value: Promise<PlanValue> } {
    const transferId = randomId(16);
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const stop = new AbortController();
    const arriving = this.transfers.expect(transferId, {
      signal: stop.signal,
      timeoutMs: timeoutMs + RELEASE_GRACE_MS,
      onStart: (st) => this.#transfer({ id: transferId, label: reason, bytes: 0, totalBytes: Number(st.tensor?.byteLength ?? 0), state: 'running', path: st.path, codec: st.codec, reason: st.reason }),
      onProgress: (p) => this.#transfer({ ...this.#transfers.get(transferId), id: transferId, label: reason, bytes: p.bytes, totalBytes: p.totalBytes, state: 'running' }),
    });
    arriving.catch(() => undefined); // awaited below only once approved
    const decided = new Promise<RequestUpdate>((resolve) => this.#waiting.set(transferId, resolve));
    // Safe to send again: the DO knows a request by its transfer id and never queues it twice.
    const submitted = this.#again(() => this.link.call(RequestValue, { pointerId, reason, timeoutMs, transferId }, this.#callOptions()))
      .then((res) => {
        if (!res.request) throw new DuetError('INVALID_ARGUMENT', 'The data owner answered without the request.', { reason: 'MALFORMED_MESSAGE' });
        const view = requestFromProto(res.request);
        // An update may have overtaken the answer (a policy decides at once): keep the newest.
        if (!this.#requests.has(view.id)) this.#note(view);
        return view;
      });
    const value = (async (): Promise<PlanValue> => {
      try {
        const view = await submitted;
        const update = await this.#decision(view, decided, timeoutMs + RELEASE_GRACE_MS, options.signal);
        const req = requestFromProto(update.request!);
        if (req.status !== 'approved') throw refusal(req);
        const t = await arriving;
        this.#transfer({ ...this.#transfers.get(transferId), id: transferId, label: reason, bytes: t.data.byteLength, totalBytes: t.data.byteLength, state: 'done' });
        return decodeValue(update.valueKind, t);
      } finally {
        this.#waiting.delete(transferId);
        stop.abort();
      }
    })();
    value.catch(() => undefined);
    return { submitted, value };
  }

  // ---- internals ----

  #decision(view: RequestView, decided: Promise<RequestUpdate>, waitMs: number, signal: AbortSignal | undefined): Promise<RequestUpdate> {
    return new Promise<RequestUpdate>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new DuetError('DEADLINE_EXCEEDED', `No word from the data owner on request ${view.id} within ${waitMs} ms.`, { reason: 'REQUEST_EXPIRED', details: { request: view.id } }));
      }, waitMs);
      const onAbort = () => {
        done();
        void this.link.call(CancelRequest, { requestId: view.id }, this.#callOptions()).catch(() => undefined);
        reject(new DuetError('CANCELLED', `Request ${view.id} was withdrawn.`, { reason: 'REQUEST_CANCELLED', details: { request: view.id } }));
      };
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      decided.then((u) => {
        done();
        resolve(u);
      });
    });
  }

  async #list(): Promise<AssetView[]> {
    const res = await this.#again(() => this.link.call(ListAssets, {}, this.#callOptions()));
    this.#assets = res.assets.map(assetFromProto);
    this.emit('store', this.#assets);
    return this.#assets;
  }

  async #mock(assetId: string): Promise<PlanValue> {
    const res = await this.#again(() => this.link.call(GetMock, { assetId }, this.#callOptions()));
    const v = res.value;
    if (!v) throw new DuetError('INVALID_ARGUMENT', 'The mock arrived empty.', { reason: 'MALFORMED_MESSAGE' });
    return decodeValue(res.valueKind, tensorFromBytes(assertDType(v.dtype), v.shape, v.data));
  }

  #note(view: RequestView): void {
    this.#requests.set(view.id, view);
    this.emit('request', view);
  }

  #transfer(t: TransferView): void {
    this.#transfers.set(t.id, t);
    this.emit('transfer', t);
  }

  /**
   * An idempotent call that the link dropped under (the answer may have been lost on the way):
   * made again once a channel to the DO is back, within CALL_RECONNECT_WAIT_MS. Any other error,
   * or no channel in time, fails as it came.
   */
  async #again<T>(call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + CALL_RECONNECT_WAIT_MS;
    for (;;) {
      try {
        return await call();
      } catch (e) {
        const err = DuetError.from(e);
        const on = this.link.on?.bind(this.link);
        if (err.reason !== 'PEER_CONNECTION_LOST' || !on || Date.now() >= deadline) throw err;
        const back = await new Promise<boolean>((resolve) => {
          const done = (ok: boolean) => {
            clearTimeout(timer);
            off();
            resolve(ok);
          };
          const timer = setTimeout(() => done(false), deadline - Date.now());
          const off = on('channel', () => done(true));
        });
        if (!back) throw err;
      }
    }
  }

  #callOptions(): { peerId?: string } {
    return this.options.ownerPeerId ? { peerId: this.options.ownerPeerId } : {};
  }
}

/** The typed error for a request that ended without a value. */
function refusal(r: RequestView): DuetError {
  const details = { request: r.id, decidedBy: r.decidedBy, message: r.message };
  switch (r.status) {
    case 'denied':
      return new DuetError('PERMISSION_DENIED', `The data owner denied the request${r.message ? `: "${r.message}"` : '.'}`, { reason: 'REQUEST_DENIED', details });
    case 'expired':
      return new DuetError('DEADLINE_EXCEEDED', `The request expired before the data owner decided (${r.message || 'no decision in time'}).`, { reason: 'REQUEST_EXPIRED', details });
    case 'cancelled':
      return new DuetError('CANCELLED', 'The request was withdrawn.', { reason: 'REQUEST_CANCELLED', details });
    default:
      return new DuetError('INTERNAL', `The request ended as "${r.status}" without a value.`, { details });
  }
}
