import type { PathName } from '../../transport/paths/types';
import { MAX_AWAITED_REPORTS } from './constants';

/**
 * Transfers this side sent, awaiting the receiver's TransferReport, with the path each took.
 * The path comes from our own record, never from the report, so a peer cannot move another
 * path's estimate. Bounded: a receiver without a negotiator never reports.
 */
export class AwaitedReports {
  readonly #paths = new Map<string, PathName>();

  constructor(private readonly max: number = MAX_AWAITED_REPORTS) {}

  add(transferId: string, path: PathName): void {
    this.#paths.set(transferId, path);
    if (this.#paths.size > this.max) this.#paths.delete(this.#paths.keys().next().value!);
  }

  /** The path of a reported transfer, once; undefined if unknown or forgotten. */
  take(transferId: string): PathName | undefined {
    const path = this.#paths.get(transferId);
    this.#paths.delete(transferId);
    return path;
  }

  get size(): number {
    return this.#paths.size;
  }
}
