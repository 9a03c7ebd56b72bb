import type { Lineage } from './plan/types';

// An append-only log of everything that could let data out: plans run, requests, decisions,
// releases, DP spends and refusals, policy changes. There is no way to edit or drop an entry through this
// API; entries are frozen, numbered without gaps, and the whole log exports as JSON for the DO.

export type AuditEvent =
  | { readonly type: 'request'; readonly requestId: string; readonly scientist: string; readonly pointerId: string; readonly reason: string; readonly lineage: Lineage; readonly elements: number }
  | {
      readonly type: 'decision';
      readonly requestId: string;
      readonly scientist: string;
      readonly decision: 'approved' | 'denied' | 'expired' | 'cancelled';
      /** 'owner', or 'policy:<id>' when a policy decided. */
      readonly by: string;
      readonly message: string;
    }
  | { readonly type: 'release'; readonly requestId: string; readonly scientist: string; readonly pointerId: string; readonly elements: number; readonly lineage: Lineage }
  | {
      readonly type: 'dp_spend';
      readonly scientist: string;
      readonly assets: readonly string[];
      readonly query: string;
      readonly mechanism: string;
      readonly epsilon: number;
      readonly delta: number;
    }
  | { readonly type: 'dp_refused'; readonly scientist: string; readonly assets: readonly string[]; readonly query: string; readonly epsilon: number; readonly delta: number; readonly reason: string }
  | {
      readonly type: 'plan';
      readonly scientist: string;
      readonly assets: readonly string[];
      readonly ops: readonly string[];
      /** The new pointer, or '' when the plan was refused or failed. */
      readonly pointerId: string;
      /** The error's reason (or code) when it was refused or failed, else ''. */
      readonly error: string;
    }
  | { readonly type: 'policy'; readonly action: 'added' | 'removed'; readonly policyId: string; readonly summary: string }
  | { readonly type: 'budget'; readonly scientist: string; readonly asset: string; readonly epsilon: number; readonly delta: number };

export interface AuditEntry {
  readonly seq: number;
  /** ms since the epoch. */
  readonly at: number;
  readonly event: AuditEvent;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

export class AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #listeners = new Set<(e: AuditEntry) => void>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  append(event: AuditEvent): AuditEntry {
    // A copy, frozen all the way down: a caller keeping a reference cannot rewrite history.
    const entry = deepFreeze({ seq: this.#entries.length + 1, at: this.#now(), event: structuredClone(event) });
    this.#entries.push(entry);
    for (const l of this.#listeners) l(entry);
    return entry;
  }

  /** A read-only snapshot. */
  entries(): readonly AuditEntry[] {
    return Object.freeze([...this.#entries]);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Called after each append (e.g. to update the DO's UI); returns an unsubscribe function. */
  subscribe(listener: (e: AuditEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The whole log as JSON (format "duet-audit/1"), for the DO to download and keep. */
  exportJson(): string {
    return JSON.stringify({ format: 'duet-audit/1', exportedAt: this.#now(), entries: this.#entries }, null, 2);
  }
}
