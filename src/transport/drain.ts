import { LOW_WATER_BYTES } from './constants';

/** How often to re-check bufferedAmount where the runtime has no bufferedamountlow event (@roamhq/wrtc). */
export const DRAIN_POLL_MS = 1;

/**
 * Waits for an RTCDataChannel's send buffer to drain to the low-water mark: on the
 * `bufferedamountlow` event where the runtime has it (browsers), else by polling, and only
 * while someone waits (Node's @roamhq/wrtc has neither the threshold nor the event).
 */
export class DrainWatcher {
  #waiters: (() => void)[] = [];
  #poll: ReturnType<typeof setInterval> | undefined;
  readonly #hasEvent: boolean;

  constructor(
    private readonly channel: () => RTCDataChannel | null | undefined,
    private readonly isOpen: () => boolean,
  ) {
    const ch = channel();
    this.#hasEvent = !!ch && typeof ch.bufferedAmountLowThreshold === 'number';
    if (ch && this.#hasEvent) {
      ch.bufferedAmountLowThreshold = LOW_WATER_BYTES;
      // Chain onto any handler already there (simple-peer sets one for its own streams).
      const previous = ch.onbufferedamountlow;
      ch.onbufferedamountlow = (ev: Event) => {
        previous?.call(ch, ev);
        this.wake();
      };
    }
  }

  get bufferedAmount(): number {
    return this.channel()?.bufferedAmount ?? 0;
  }

  drained(): Promise<void> {
    if (this.bufferedAmount <= LOW_WATER_BYTES || !this.isOpen()) return Promise.resolve();
    const wait = new Promise<void>((resolve) => this.#waiters.push(resolve));
    if (!this.#hasEvent && !this.#poll) {
      this.#poll = setInterval(() => {
        if (this.bufferedAmount <= LOW_WATER_BYTES || !this.isOpen()) this.wake();
      }, DRAIN_POLL_MS);
    }
    return wait;
  }

  /** Releases every waiter (on drain, or when the channel closes). */
  wake(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
