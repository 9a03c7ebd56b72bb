import { DuetError } from '../errors';
import type { Lineage, PlanValue, ValueType } from './plan/types';

// DO-side results of plans, held under unguessable ids: the DS gets the id (a pointer) and
// the value's type, never the value. Ids are 128 random bits, so one DS cannot guess another's.

export interface PointerInfo {
  readonly id: string;
  readonly type: ValueType;
  readonly lineage: Lineage;
  /** The DS the pointer belongs to. */
  readonly owner: string;
  readonly createdAt: number;
}

interface Entry extends PointerInfo {
  readonly value: PlanValue;
}

export function newPointerId(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class PointerTable {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Keeps a value under a fresh id. `type` is what the DS will be told: pass the plan's inferred
   * type (PlanOutcome.type), never one read off the value, whose sizes can reveal data.
   */
  create(value: PlanValue, lineage: Lineage, owner: string, type: ValueType): PointerInfo {
    const id = newPointerId();
    const entry: Entry = { id, value, type, lineage, owner, createdAt: this.#now() };
    this.#entries.set(id, entry);
    return info(entry);
  }

  /** Keeps a plan's result: its value, lineage and inferred (public) type. */
  createFromOutcome(outcome: { value: PlanValue; lineage: Lineage; type: ValueType }, owner: string): PointerInfo {
    return this.create(outcome.value, outcome.lineage, owner, outcome.type);
  }

  /** The value behind a pointer (DO side only); NOT_FOUND if unknown, deleted, or another DS's. */
  value(id: string, owner?: string): PlanValue {
    return this.#entry(id, owner).value;
  }

  info(id: string, owner?: string): PointerInfo {
    return info(this.#entry(id, owner));
  }

  has(id: string, owner?: string): boolean {
    const e = this.#entries.get(id);
    return e !== undefined && (owner === undefined || e.owner === owner);
  }

  delete(id: string, owner?: string): void {
    this.#entry(id, owner);
    this.#entries.delete(id);
  }

  list(owner?: string): PointerInfo[] {
    return [...this.#entries.values()].filter((e) => owner === undefined || e.owner === owner).map(info);
  }

  // Another DS's pointer is reported exactly like a missing one, so ids cannot be probed.
  #entry(id: string, owner?: string): Entry {
    const e = this.#entries.get(id);
    if (e === undefined || (owner !== undefined && e.owner !== owner)) {
      throw new DuetError('NOT_FOUND', `No pointer "${id}": it never existed or was deleted.`, { reason: 'NO_SUCH_POINTER', details: { pointer: id } });
    }
    return e;
  }
}

function info(e: Entry): PointerInfo {
  return { id: e.id, type: e.type, lineage: e.lineage, owner: e.owner, createdAt: e.createdAt };
}
