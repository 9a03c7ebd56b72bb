import { DuetError } from '../errors';
import { configuredLimit } from '../limits';
import type { AuditLog } from './audit';
import { MAX_MESSAGE_CHARS, MAX_PENDING_REQUESTS, REQUEST_TIMEOUT_MS } from './constants';
import type { PolicySet } from './policies';
import { newPointerId, type PointerTable } from './pointers';
import type { Lineage, PlanValue, ValueType } from './plan/types';
import { elementsOf } from './plan/values';
import { previewOf, type Preview } from './preview';

// The DO's queue of requests to release a value (a DS `.get()` on a pointer). The one path
// by which a value leaves is #release, reached only from approve() (the DO's decision) or from
// a matching approve policy at submit time. Everything else (deny, expiry, cancel, no decision
// yet) resolves the DS's outcome without a value. Every step is written to the audit log.

export type RequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

/** What the DS may know of a request (no preview: that is for the DO's eyes). */
export interface RequestInfo {
  readonly id: string;
  readonly scientist: string;
  readonly pointerId: string;
  readonly reason: string;
  readonly lineage: Lineage;
  readonly type: ValueType;
  readonly elements: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: RequestStatus;
  readonly decision?: Decision;
}

export interface Decision {
  /** 'owner' or 'policy:<id>'. */
  readonly by: string;
  readonly message: string;
  readonly at: number;
}

/** What the DO sees in the queue: the request plus a preview of the value. */
export interface OwnerRequestView extends RequestInfo {
  readonly preview: Preview;
}

/** The DS's answer. Only an approved outcome carries a value. */
export type RequestOutcome =
  | { readonly status: 'approved'; readonly request: RequestInfo; readonly value: PlanValue }
  | { readonly status: 'denied' | 'expired' | 'cancelled'; readonly request: RequestInfo };

export interface SubmitInput {
  scientist: string;
  pointerId: string;
  reason: string;
  /** Shorter than the queue's default timeout only. */
  timeoutMs?: number;
}

export interface RequestQueueOptions {
  pointers: PointerTable;
  audit: AuditLog;
  /** Without policies, every request waits for the DO. */
  policies?: PolicySet;
  /** Tags of an asset (for tag policies); unknown assets have none. */
  assetTags?: (assetId: string) => readonly string[];
  now?: () => number;
  timeoutMs?: number;
  maxPending?: number;
}

interface Entry {
  info: RequestInfo;
  resolve: (o: RequestOutcome) => void;
  outcome: Promise<RequestOutcome>;
}

export class RequestQueue {
  readonly #o: RequestQueueOptions;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: RequestQueueOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#timeoutMs = configuredLimit('REQUEST_TIMEOUT_MS', opts.timeoutMs, REQUEST_TIMEOUT_MS, { min: 1, max: REQUEST_TIMEOUT_MS });
    this.#maxPending = configuredLimit('MAX_PENDING_REQUESTS', opts.maxPending, MAX_PENDING_REQUESTS, { min: 1, max: MAX_PENDING_REQUESTS });
  }

  /** A DS asks for a pointer's value. Resolves when decided (at once if a policy matches). */
  submit(input: SubmitInput): { request: RequestInfo; outcome: Promise<RequestOutcome> } {
    this.expireDue();
    const reason = checkText('reason', input.reason);
    const pending = this.pending().length;
    if (pending >= this.#maxPending) {
      throw new DuetError('RESOURCE_EXHAUSTED', `The data owner has ${pending} requests waiting, the most allowed (MAX_PENDING_REQUESTS=${this.#maxPending}).`, {
        reason: 'LIMIT_EXCEEDED',
        details: { limit: 'MAX_PENDING_REQUESTS', max: this.#maxPending, actual: pending + 1 },
      });
    }
    const timeout = configuredLimit('timeoutMs', input.timeoutMs, this.#timeoutMs, { min: 1, max: this.#timeoutMs });
    const p = this.#o.pointers.info(input.pointerId, input.scientist); // NOT_FOUND for unknown, deleted or another DS's
    const now = this.#now();
    const info: RequestInfo = {
      id: `req-${newPointerId()}`, // unguessable, like pointer ids
      scientist: input.scientist,
      pointerId: p.id,
      reason,
      lineage: p.lineage,
      type: p.type,
      elements: elementsOf(p.type),
      createdAt: now,
      expiresAt: now + timeout,
      status: 'pending',
    };
    let resolve!: (o: RequestOutcome) => void;
    const outcome = new Promise<RequestOutcome>((r) => (resolve = r));
    const entry: Entry = { info, resolve, outcome };
    this.#entries.set(info.id, entry);
    this.#o.audit.append({ type: 'request', requestId: info.id, scientist: info.scientist, pointerId: info.pointerId, reason, lineage: info.lineage, elements: info.elements });

    const match = this.#o.policies?.match({ scientist: info.scientist, lineage: info.lineage, elements: info.elements, assetTags: this.#tags(info.lineage) });
    if (match !== undefined) {
      const by = `policy:${match.policy.id}`;
      const message = match.policy.message ?? (match.action === 'approve' ? 'Approved by a data owner policy.' : 'Denied by a data owner policy.');
      if (match.action === 'approve') this.#release(entry, by, message, match.policy.id);
      else this.#close(entry, 'denied', by, message);
    }
    return { request: entry.info, outcome };
  }

  /** The DO approves: the value is released to the DS. */
  approve(id: string, message = ''): RequestInfo {
    const e = this.#pendingEntry(id);
    this.#release(e, 'owner', checkText('message', message, true));
    return e.info;
  }

  /** The DO denies, with a message back to the DS. */
  deny(id: string, message = ''): RequestInfo {
    const e = this.#pendingEntry(id);
    this.#close(e, 'denied', 'owner', checkText('message', message, true));
    return e.info;
  }

  /** The DS withdraws a pending request. */
  cancel(id: string, scientist: string): RequestInfo {
    const e = this.#pendingEntry(id);
    if (e.info.scientist !== scientist) throw new DuetError('NOT_FOUND', `No request "${id}".`, { details: { request: id } });
    this.#close(e, 'cancelled', scientist, '');
    return e.info;
  }

  /** Expires overdue requests; the session calls this on a timer, and every call here does too. */
  expireDue(): number {
    const now = this.#now();
    let n = 0;
    for (const e of this.#entries.values()) {
      if (e.info.status === 'pending' && now >= e.info.expiresAt) {
        this.#close(e, 'expired', 'timeout', `No decision within ${e.info.expiresAt - e.info.createdAt} ms.`);
        n++;
      }
    }
    return n;
  }

  /** The DO's view: pending requests with previews, oldest first. */
  pending(): OwnerRequestView[] {
    return [...this.#entries.values()]
      .filter((e) => e.info.status === 'pending')
      .map((e) => ({ ...e.info, preview: previewOf(this.#o.pointers.value(e.info.pointerId, e.info.scientist)) }));
  }

  info(id: string): RequestInfo {
    const e = this.#entries.get(id);
    if (e === undefined) throw new DuetError('NOT_FOUND', `No request "${id}".`, { details: { request: id } });
    return e.info;
  }

  outcome(id: string): Promise<RequestOutcome> {
    const e = this.#entries.get(id);
    if (e === undefined) throw new DuetError('NOT_FOUND', `No request "${id}".`, { details: { request: id } });
    return e.outcome;
  }

  #pendingEntry(id: string): Entry {
    this.expireDue();
    const e = this.#entries.get(id);
    if (e === undefined) throw new DuetError('NOT_FOUND', `No request "${id}".`, { details: { request: id } });
    if (e.info.status !== 'pending') {
      throw new DuetError('FAILED_PRECONDITION', `Request "${id}" is already ${e.info.status}.`, { reason: 'ALREADY_DECIDED', details: { request: id, status: e.info.status } });
    }
    return e;
  }

  // The only place a value is handed over.
  #release(e: Entry, by: string, message: string, policyId?: string): void {
    const value = this.#o.pointers.value(e.info.pointerId, e.info.scientist);
    e.info = { ...e.info, status: 'approved', decision: { by, message, at: this.#now() } };
    this.#o.audit.append({ type: 'decision', requestId: e.info.id, scientist: e.info.scientist, decision: 'approved', by, message });
    this.#o.audit.append({ type: 'release', requestId: e.info.id, scientist: e.info.scientist, pointerId: e.info.pointerId, elements: e.info.elements, lineage: e.info.lineage });
    if (policyId !== undefined) this.#o.policies?.recordRelease(policyId, e.info.elements);
    e.resolve({ status: 'approved', request: e.info, value });
  }

  #close(e: Entry, status: 'denied' | 'expired' | 'cancelled', by: string, message: string): void {
    e.info = { ...e.info, status, decision: { by, message, at: this.#now() } };
    this.#o.audit.append({ type: 'decision', requestId: e.info.id, scientist: e.info.scientist, decision: status, by, message });
    e.resolve({ status, request: e.info });
  }

  #tags(l: Lineage): Record<string, readonly string[]> {
    const tags: Record<string, readonly string[]> = {};
    for (const a of l.assets) tags[a] = this.#o.assetTags?.(a) ?? [];
    return tags;
  }
}

function checkText(name: string, text: string, optional = false): string {
  if (typeof text !== 'string' || (!optional && text.trim() === '')) {
    throw new DuetError('INVALID_ARGUMENT', `A ${name} is required.`, { reason: 'BAD_MESSAGE' });
  }
  if (text.length > MAX_MESSAGE_CHARS) {
    throw new DuetError('INVALID_ARGUMENT', `The ${name} is ${text.length} characters, over MAX_MESSAGE_CHARS=${MAX_MESSAGE_CHARS}.`, {
      reason: 'BAD_MESSAGE',
      details: { limit: 'MAX_MESSAGE_CHARS', max: MAX_MESSAGE_CHARS, actual: text.length },
    });
  }
  return text;
}
