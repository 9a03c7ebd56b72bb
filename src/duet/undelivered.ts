import { DuetError } from '../errors';
import { MAX_UNDELIVERED_PER_SCIENTIST } from './ds-constants';

// Decisions the DO made while the scientist was away (its control channel down, being rebuilt,
// or resuming at the hub). They wait here, per scientist, until a channel to that scientist
// opens again, or until the scientist's get() would have given up anyway.

interface Held<T> {
  readonly item: T;
  readonly until: number;
}

export class Undelivered<T> {
  readonly #held = new Map<string, Held<T>[]>();

  constructor(
    private readonly now: () => number,
    private readonly max = MAX_UNDELIVERED_PER_SCIENTIST,
  ) {}

  /** Keeps `item` for `scientist` until `until` (ms, on `now`'s clock). Refuses past the limit. */
  hold(scientist: string, item: T, until: number): void {
    const list = this.#live(scientist);
    if (list.length >= this.max) {
      throw new DuetError('RESOURCE_EXHAUSTED', `${list.length} decisions already wait for this scientist to come back (MAX_UNDELIVERED_PER_SCIENTIST=${this.max}).`, {
        reason: 'LIMIT_EXCEEDED',
        details: { limit: 'MAX_UNDELIVERED_PER_SCIENTIST', max: this.max, actual: list.length + 1 },
      });
    }
    list.push({ item, until });
    this.#held.set(scientist, list);
  }

  /** Everything still worth delivering to `scientist`, oldest first; forgets it here. */
  take(scientist: string): T[] {
    const list = this.#live(scientist);
    this.#held.delete(scientist);
    return list.map((h) => h.item);
  }

  /** How many wait for `scientist` (expired ones not counted). */
  count(scientist: string): number {
    return this.#live(scientist).length;
  }

  #live(scientist: string): Held<T>[] {
    const t = this.now();
    return (this.#held.get(scientist) ?? []).filter((h) => h.until > t);
  }
}
