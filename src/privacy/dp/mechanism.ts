import { DuetError } from '../../errors';
import type { RandomSource } from './random';

// A Mechanism adds calibrated noise to a query's true answer. Implementations live in their
// own modules (laplace.ts, gaussian.ts) and register by id (STYLE 1 and 7).

/** What one release costs: the (ε, δ) guarantee and, where known, its Rényi-DP curve. */
export interface PrivacyCost {
  readonly epsilon: number;
  readonly delta: number;
  /** ε(α) at the accountant's orders: lets the RDP accountant compose more tightly than adding ε. */
  readonly rdp?: (alpha: number) => number;
  /** The mechanism that produced it, for the ledger and audit log. */
  readonly mechanism: string;
}

export interface Sensitivity {
  /** L1 sensitivity (Laplace). */
  readonly l1: number;
  /** L2 sensitivity (Gaussian). */
  readonly l2: number;
}

export interface ReleaseOptions {
  readonly epsilon: number;
  /** Required for mechanisms that need it (Gaussian); ignored by pure-DP ones. */
  readonly delta?: number;
  readonly sensitivity: Sensitivity;
  /**
   * True when every true value is an integer and the sensitivity is integral (counts,
   * histograms): the noise is then added exactly with no rounding grid.
   */
  readonly integerValued: boolean;
  readonly random?: RandomSource;
}

export interface Release {
  readonly values: Float64Array;
  readonly cost: PrivacyCost;
  /** The noise scale actually used (Laplace b or Gaussian σ, in the query's units). */
  readonly scale: number;
  /** The spacing of the output grid (1 for integer-valued queries). */
  readonly granularity: number;
}

export interface Mechanism {
  readonly id: string;
  /** The cost of a release with these options, without releasing (for a budget check first). */
  cost(opts: Omit<ReleaseOptions, 'random'>): PrivacyCost;
  release(values: Float64Array, opts: ReleaseOptions): Release;
}

export class MechanismRegistry {
  readonly #byId = new Map<string, Mechanism>();

  register(m: Mechanism): this {
    if (typeof m.id !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(m.id)) {
      throw new DuetError('INVALID_ARGUMENT', `Cannot register mechanism "${String(m.id)}": ids are lower-case words.`, { reason: 'BAD_MECHANISM' });
    }
    if (typeof m.release !== 'function' || typeof m.cost !== 'function') {
      throw new DuetError('INVALID_ARGUMENT', `Cannot register mechanism "${m.id}": it needs cost() and release().`, { reason: 'BAD_MECHANISM' });
    }
    if (this.#byId.has(m.id)) throw new DuetError('ALREADY_EXISTS', `Mechanism "${m.id}" is already registered.`, { reason: 'BAD_MECHANISM' });
    this.#byId.set(m.id, m);
    return this;
  }

  get(id: string): Mechanism {
    const m = this.#byId.get(id);
    if (m === undefined) {
      throw new DuetError('INVALID_ARGUMENT', `Unknown DP mechanism "${id}"; registered: ${[...this.#byId.keys()].join(', ') || 'none'}.`, {
        reason: 'UNKNOWN_MECHANISM',
        details: { mechanism: id },
      });
    }
    return m;
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }
}
