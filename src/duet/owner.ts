import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { DuetError, isDuetError } from '../errors';
import type { EventDef } from '../transport/rpc-types';
import { configuredLimit, enforceLimit } from '../limits';
import { tensorBytes } from '../tensor';
import { BudgetLedger, type Budget, type BudgetStatus } from '../privacy/dp/ledger';
import { Emitter } from '../util/emitter';
import type { TransferProgress } from '../transport/paths/types';
import { AuditLog } from './audit';
import { planContext } from './context';
import { REQUEST_TIMEOUT_MS } from './constants';
import { auditedDpQuery, rowLevelValues, setAuditedBudget } from './dp';
import { DEFAULT_BUDGET, MAX_RELEASE_ELEMENTS, MAX_TRANSFER_ID_CHARS, RELEASE_GRACE_MS } from './ds-constants';
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
import { budgetToProto, type TransferView } from './ds-types';
import { evaluatePlan } from './plan/evaluate';
import { lineageToProto, planFromProto } from './plan/codec';
import { malformed } from './plan/errors';
import type { OpRegistry } from './plan/registry';
import { elementsOf } from './plan/values';
import { PointerTable } from './pointers';
import { PolicySet } from './policies';
import { encodeValue } from './release';
import { RequestQueue, type OwnerRequestView, type RequestInfo, type RequestOutcome } from './requests';
import { Store, type AddAssetInput, type AssetMeta } from './store';
import { Undelivered } from './undelivered';
import type { Transfers } from './transfers';
import { assetInfoToProto, dpQueryFromProto, dpResultToProto, requestInfoToProto, valueInfoToProto } from './wire';
import type { MockOptions } from './mock';

// The data owner's side of a Duet: the store, the pointers each scientist made, the request
// queue, policies, privacy budgets and the audit log, served over the control channel. A value
// leaves only through #release, which runs only for an approved request (the DO's click or a
// policy); everything else answers with metadata.

export interface OwnerOptions {
  store?: Store;
  /** Each new scientist's budget on each asset; null gives none (DP queries refused until the DO sets one). */
  defaultBudget?: Budget | null;
  /** Tighter than MAX_RELEASE_ELEMENTS only. */
  maxReleaseElements?: number;
  /** How long a request waits for the DO; at most REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** A registry with plug-in ops (e.g. model training); default: the built-ins. */
  registry?: OpRegistry;
  /** Narrows the allow-list for every scientist. */
  allowedOps?: Iterable<string>;
  now?: () => number;
}

export interface ActivityEntry {
  readonly at: number;
  readonly scientist: string;
  readonly text: string;
  readonly tone: 'info' | 'good' | 'bad';
}

export type OwnerTopic = 'requests' | 'budgets' | 'store' | 'policies' | 'scientists' | 'audit';

/** A decision on its way to the scientist, under the transfer id the scientist chose. */
interface Delivery {
  readonly o: RequestOutcome;
  readonly transferId: string;
}

interface OwnerEvents {
  /** Something the DO's UI shows changed. */
  change: OwnerTopic;
  transfer: TransferView;
  activity: ActivityEntry;
}

export class DataOwner extends Emitter<OwnerEvents> {
  readonly store: Store;
  readonly pointers: PointerTable;
  readonly audit: AuditLog;
  readonly policies: PolicySet;
  readonly ledger = new BudgetLedger();
  readonly queue: RequestQueue;
  readonly maxReleaseElements: number;
  #defaultBudget: Budget | null;
  readonly #requests = new Map<string, RequestInfo>();
  /** Request ids by `${scientist}/${transferId}`: as long-lived as #requests, the DO's history. */
  readonly #requestByTransfer = new Map<string, string>();
  readonly #scientists = new Set<string>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #transfers = new Map<string, TransferView>();
  readonly #requestTimeoutMs: number;
  readonly #now: () => number;
  readonly #undelivered: Undelivered<Delivery>;
  #closed = false;

  constructor(
    private readonly link: DsLink,
    private readonly transfers: Pick<Transfers, 'send'>,
    private readonly options: OwnerOptions = {},
  ) {
    super();
    this.#now = options.now ?? Date.now;
    this.store = options.store ?? new Store();
    this.pointers = new PointerTable(this.#now);
    this.audit = new AuditLog(this.#now);
    this.policies = new PolicySet(this.#now, this.audit);
    this.#defaultBudget = options.defaultBudget === undefined ? { ...DEFAULT_BUDGET } : options.defaultBudget;
    this.maxReleaseElements = configuredLimit('MAX_RELEASE_ELEMENTS', options.maxReleaseElements, MAX_RELEASE_ELEMENTS, { min: 1, max: MAX_RELEASE_ELEMENTS });
    this.#requestTimeoutMs = configuredLimit('REQUEST_TIMEOUT_MS', options.requestTimeoutMs, REQUEST_TIMEOUT_MS, { min: 1, max: REQUEST_TIMEOUT_MS });
    this.queue = new RequestQueue({
      pointers: this.pointers,
      audit: this.audit,
      policies: this.policies,
      assetTags: (id) => (this.store.has(id) ? this.store.meta(id).tags : []),
      now: this.#now,
      timeoutMs: this.#requestTimeoutMs,
    });
    this.audit.subscribe(() => this.emit('change', 'audit'));
    this.#undelivered = new Undelivered(this.#now);
    link.on?.('channel', ({ peerId }) => {
      for (const d of this.#undelivered.take(peerId)) void this.#deliver(d, peerId);
    });
    this.#serve();
  }

  // ---- what the DO's UI and scripts call ----

  /** Every request so far, newest first (the DS's view: no previews). */
  requests(): RequestInfo[] {
    return [...this.#requests.values()].reverse();
  }

  /** Requests waiting for a decision, with previews for the DO's eyes. */
  pending(): OwnerRequestView[] {
    return this.queue.pending();
  }

  approve(requestId: string, message = ''): RequestInfo {
    return this.queue.approve(requestId, message);
  }

  deny(requestId: string, message = ''): RequestInfo {
    return this.queue.deny(requestId, message);
  }

  /** Expires overdue requests now (a timer does this at each request's deadline too). */
  expireDue(): number {
    return this.queue.expireDue();
  }

  /** Scientists seen on this session, by peer id. */
  scientists(): string[] {
    return [...this.#scientists];
  }

  get defaultBudget(): Budget | null {
    return this.#defaultBudget;
  }

  /** The budget new scientists (and new assets) get from now on; existing budgets stay. */
  setDefaultBudget(budget: Budget | null): void {
    if (budget !== null) new BudgetLedger().setBudget('check', 'check', budget); // BAD_BUDGET now, not at the next join
    this.#defaultBudget = budget;
    this.emit('change', 'budgets');
  }

  setBudget(scientist: string, assetId: string, budget: Budget): void {
    this.store.meta(assetId); // NOT_FOUND for an unknown asset
    setAuditedBudget(this.ledger, this.audit, scientist, assetId, budget);
    this.emit('change', 'budgets');
    void this.#pushBudgets(scientist);
  }

  /** Every (scientist, asset) budget with what is spent and left. */
  budgets(): { scientist: string; assetId: string; status: BudgetStatus }[] {
    const out: { scientist: string; assetId: string; status: BudgetStatus }[] = [];
    for (const scientist of this.#scientists) {
      for (const a of this.store.listing()) {
        const status = this.ledger.status(scientist, a.id);
        if (status) out.push({ scientist, assetId: a.id, status });
      }
    }
    return out;
  }

  addAsset(input: AddAssetInput): AssetMeta {
    const meta = this.store.add(input);
    for (const s of this.#scientists) this.#applyDefaultBudget(s, [meta.id]);
    this.#storeChanged();
    return meta;
  }

  /** After assets were added to `store` directly (e.g. a bulk load): budgets for them, and the scientist is told. */
  refreshStore(): void {
    const ids = this.store.listing().map((a) => a.id);
    for (const s of this.#scientists) this.#applyDefaultBudget(s, ids);
    this.#storeChanged();
  }

  removeAsset(id: string): void {
    this.store.remove(id);
    this.#storeChanged();
  }

  /** Renames, re-describes or re-tags an asset (tags drive tag policies); the scientist is told. */
  describeAsset(id: string, changes: { name?: string; description?: string; tags?: readonly string[] }): AssetMeta {
    const meta = this.store.describe(id, changes);
    this.#storeChanged();
    return meta;
  }

  setMock(id: string, mock: boolean | MockOptions): AssetMeta {
    const meta = this.store.setMock(id, mock);
    this.#storeChanged();
    return meta;
  }

  /** Transfers of released values, for progress bars. */
  transferViews(): TransferView[] {
    return [...this.#transfers.values()];
  }

  /** Tells the owner a scientist is here (the UI calls it when a peer connects). */
  noteScientist(peerId: string): void {
    this.#seen(peerId);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  // ---- the methods a scientist calls ----

  #serve(): void {
    const l = this.link;
    l.handleFrom(ListAssets, (_req, _ctx, peer) => {
      this.#seen(peer);
      return { assets: this.store.listing().map(assetInfoToProto) };
    });

    l.handleFrom(GetMock, (req, _ctx, peer) => {
      this.#seen(peer);
      const enc = encodeValue(this.store.mock(req.assetId));
      const t = enc.tensor;
      return { valueKind: enc.kind, value: { dtype: t.dtype, shape: [...t.shape], data: tensorBytes(t) } };
    });

    l.handleFrom(RunPlan, async (req, _ctx, peer) => {
      this.#seen(peer);
      if (req.plan === undefined) throw malformed('the request carries no plan.');
      const plan = planFromProto(req.plan);
      try {
        const out = await evaluatePlan(plan, planContext(this.store, this.pointers, this.#planOptions(peer)));
        const p = this.pointers.createFromOutcome(out, peer);
        this.audit.append({ type: 'plan', scientist: peer, assets: out.lineage.assets, ops: out.check.ops, pointerId: p.id, error: '' });
        this.#activity(peer, `ran a plan (${out.check.ops.join(', ') || 'no ops'}) on ${out.lineage.assets.join(', ') || 'earlier results'}`, 'info');
        return { pointerId: p.id, info: valueInfoToProto(out.type), lineage: lineageToProto(out.lineage), elementsProcessed: BigInt(out.check.elementsProcessed) };
      } catch (e) {
        const err = DuetError.from(e);
        const ops = plan.nodes.flatMap((n) => (n.kind === 'op' ? [n.op] : []));
        const assets = plan.nodes.flatMap((n) => (n.kind === 'asset' ? [n.assetId] : []));
        this.audit.append({ type: 'plan', scientist: peer, assets, ops, pointerId: '', error: err.reason ?? err.code });
        this.#activity(peer, `plan refused: ${err.message}`, 'bad');
        throw err;
      }
    });

    l.handleFrom(DeletePointer, (req, _ctx, peer) => {
      this.#seen(peer);
      this.pointers.delete(req.pointerId, peer);
      return {};
    });

    l.handleFrom(RequestValue, (req, _ctx, peer) => {
      this.#seen(peer);
      if (!/^[A-Za-z0-9_-]+$/.test(req.transferId) || req.transferId.length > MAX_TRANSFER_ID_CHARS) {
        throw new DuetError('INVALID_ARGUMENT', `A request needs a transfer id of 1-${MAX_TRANSFER_ID_CHARS} letters, digits, '_' or '-'.`, { reason: 'MALFORMED_MESSAGE' });
      }
      // The same request again (its answer was lost when the link dropped): answer, do not queue twice.
      const known = this.#requestByTransfer.get(`${peer}/${req.transferId}`);
      const again = known === undefined ? undefined : this.#requests.get(known);
      if (again) return { request: requestInfoToProto(again) };
      const p = this.pointers.info(req.pointerId, peer); // NOT_FOUND for unknown, deleted or another's
      // Checked on the inferred type before the DO is asked: what cannot be sent is not queued.
      enforceLimit('MAX_RELEASE_ELEMENTS', elementsOf(p.type), this.maxReleaseElements, 'The number of elements in this value');
      const timeoutMs = req.timeoutMs > 0 ? Math.min(req.timeoutMs, this.#requestTimeoutMs) : undefined;
      const { request, outcome } = this.queue.submit({ scientist: peer, pointerId: req.pointerId, reason: req.reason, ...(timeoutMs ? { timeoutMs } : {}) });
      this.#requests.set(request.id, request);
      this.#requestByTransfer.set(`${peer}/${req.transferId}`, request.id);
      this.#activity(peer, `asks for ${request.elements} element(s): "${request.reason}"`, 'info');
      this.#expireAt(request.expiresAt);
      void outcome.then((o) => this.#settled(o, peer, req.transferId));
      this.emit('change', 'requests');
      return { request: requestInfoToProto(request) };
    });

    l.handleFrom(CancelRequest, (req, _ctx, peer) => {
      this.#seen(peer);
      return { request: requestInfoToProto(this.queue.cancel(req.requestId, peer)) };
    });

    l.handleFrom(DpQuery, (req, _ctx, peer) => {
      this.#seen(peer);
      const p = this.pointers.info(req.pointerId, peer);
      const input = { value: this.pointers.value(req.pointerId, peer), lineage: p.lineage };
      rowLevelValues(input); // NOT_ROW_LEVEL before anything else, so bounds are looked up on the one asset
      const asset = p.lineage.assets[0]!;
      const { query, opts } = dpQueryFromProto(req, this.store, asset);
      try {
        const result = auditedDpQuery(this.ledger, this.audit, peer, input, query, opts);
        this.#activity(peer, `DP ${query.kind} on ${asset}: spent ε=${fmt(result.cost.epsilon)}`, 'good');
        return dpResultToProto(result, this.ledger.status(peer, asset));
      } catch (e) {
        if (isDuetError(e)) this.#activity(peer, `DP ${query.kind} on ${asset} refused: ${e.message}`, 'bad');
        throw e;
      } finally {
        this.emit('change', 'budgets');
        void this.#pushBudgets(peer);
      }
    });

    l.handleFrom(ListBudgets, (_req, _ctx, peer) => {
      this.#seen(peer);
      return { budgets: this.#budgetInfos(peer) };
    });
  }

  #planOptions(scientist: string) {
    return {
      scientist,
      ...(this.options.registry ? { registry: this.options.registry } : {}),
      ...(this.options.allowedOps ? { allowedOps: this.options.allowedOps } : {}),
    };
  }

  // A decided request: tell the DS, and for an approval send the value under the DS's transfer id.
  async #settled(o: RequestOutcome, scientist: string, transferId: string): Promise<void> {
    this.#requests.set(o.request.id, o.request);
    this.emit('change', 'requests');
    const by = o.request.decision?.by ?? '';
    this.#activity(scientist, `request ${o.status}${by ? ` by ${by}` : ''}${o.request.decision?.message ? `: "${o.request.decision.message}"` : ''}`, o.status === 'approved' ? 'good' : 'bad');
    await this.#deliver({ o, transferId }, scientist);
  }

  async #deliver(d: Delivery, scientist: string): Promise<void> {
    if (this.#closed) return;
    const { o, transferId } = d;
    let started = false;
    try {
      const channel = this.link.channel(scientist);
      if (o.status !== 'approved') {
        await channel.emitEvent(RequestUpdateEvent, { request: requestInfoToProto(o.request), transferId, valueKind: '' });
        return;
      }
      await this.#release(o, scientist, transferId, channel, () => (started = true));
    } catch (e) {
      const err = DuetError.from(e);
      // Nothing reached the DS yet, and it is away: keep the decision for when it is back.
      if (started || err.code !== 'UNAVAILABLE') return this.#activity(scientist, `could not deliver the decision: ${err.message}`, 'bad');
      try {
        this.#undelivered.hold(scientist, d, o.request.expiresAt + RELEASE_GRACE_MS);
        this.#activity(scientist, 'the scientist is away: the decision goes out when they are back', 'info');
      } catch (full) {
        this.#activity(scientist, `could not keep the decision: ${DuetError.from(full).message}`, 'bad');
      }
    }
  }

  // The one place a value leaves the DO, always after an approval.
  async #release(o: RequestOutcome & { status: 'approved' }, scientist: string, transferId: string, channel: ReturnType<DsLink['channel']>, onStart: () => void): Promise<void> {
    const enc = encodeValue(o.value);
    await channel.emitEvent(RequestUpdateEvent, { request: requestInfoToProto(o.request), transferId, valueKind: enc.kind });
    const label = `${o.request.elements} element(s) for "${o.request.reason}"`;
    const update = (v: Partial<TransferView>) => {
      const next = { ...(this.#transfers.get(transferId) ?? { id: transferId, label, bytes: 0, totalBytes: 0, state: 'running' as const }), ...v };
      this.#transfers.set(transferId, next);
      this.emit('transfer', next);
    };
    update({});
    try {
      const summary = await this.transfers.send(enc.tensor, {
        transferId,
        peerId: scientist,
        onProgress: (p: TransferProgress) => update({ bytes: p.bytes, totalBytes: p.totalBytes }),
        onAnnounce: (c) => {
          onStart();
          update({ path: c.path, codec: c.codec, reason: c.reason });
        },
      });
      update({ state: 'done', bytes: summary.bytes, totalBytes: summary.bytes });
    } catch (e) {
      update({ state: 'failed', error: DuetError.from(e).message });
      throw e;
    }
  }

  #expireAt(at: number): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      this.queue.expireDue();
    }, Math.max(0, at - this.#now()) + 1);
    this.#timers.add(t);
  }

  #seen(scientist: string): void {
    if (this.#scientists.has(scientist)) return;
    this.#scientists.add(scientist);
    this.#applyDefaultBudget(scientist, this.store.listing().map((a) => a.id));
    this.emit('change', 'scientists');
  }

  #applyDefaultBudget(scientist: string, assets: readonly string[]): void {
    const b = this.#defaultBudget;
    if (b === null) return;
    for (const a of assets) if (!this.ledger.status(scientist, a)) setAuditedBudget(this.ledger, this.audit, scientist, a, b);
    this.emit('change', 'budgets');
  }

  #budgetInfos(scientist: string) {
    return this.store.listing().flatMap((a) => {
      const s = this.ledger.status(scientist, a.id);
      return s ? [budgetToProto(a.id, s)] : [];
    });
  }

  async #pushBudgets(scientist: string): Promise<void> {
    await this.#tell(scientist, BudgetUpdateEvent, { budgets: this.#budgetInfos(scientist) });
  }

  #storeChanged(): void {
    this.emit('change', 'store');
    const assets = this.store.listing().map(assetInfoToProto);
    for (const s of this.#scientists) void this.#tell(s, StoreUpdateEvent, { assets });
  }

  // A best-effort notice: a scientist who is not connected right now asks again when back.
  async #tell<E extends DescMessage>(scientist: string, def: EventDef<E>, message: MessageInitShape<E>): Promise<void> {
    try {
      await this.link.channel(scientist).emitEvent(def, message);
    } catch {
      // not connected
    }
  }

  #activity(scientist: string, text: string, tone: ActivityEntry['tone']): void {
    this.emit('activity', { at: this.#now(), scientist, text, tone });
  }
}

function fmt(x: number): string {
  return Number(x.toPrecision(3)).toString();
}
