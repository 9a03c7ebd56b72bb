// A FIFO that releases each item a fixed time after it was pushed.
// One timer per queue (not one per chunk): items are pushed in time order, so only the
// head can be due next. Order is preserved because release always takes from the head.

import { performance } from 'node:perf_hooks';

/**
 * Node's timers run on libuv's millisecond clock, which is read once per loop turn. Armed
 * from an I/O callback (as in the relay), a timer often fired about 0.8 ms before the
 * precise clock said it was due. Waiting strictly then cost a second timer turn (>= 1 ms),
 * and a 50 ms RTT came out at about 52 ms. Releasing what is due within 0.8 ms put the
 * measured RTTs within about 1 ms of target (see docs/netlab.md); 0.5 ms and 1.0 ms were
 * tried and came out later and earlier. Cheaper than spinning on setImmediate, which would
 * burn a core on these 2-core machines.
 */
const RELEASE_SLACK_MS = 0.8;

interface Entry<T> {
  readonly due: number;
  readonly item: T;
  readonly size: number;
}

export class DelayQueue<T> {
  private readonly entries: Entry<T>[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private queuedBytes = 0;
  private closed = false;

  /**
   * @param delayMs fixed one-way delay added to every item (0 releases at once)
   * @param release called with each item when it is due, in push order
   */
  constructor(
    private readonly delayMs: number,
    private readonly release: (item: T) => void,
  ) {}

  /** Bytes pushed and not yet released: the relay's backpressure signal. */
  get bytes(): number {
    return this.queuedBytes;
  }

  get length(): number {
    return this.entries.length - this.head;
  }

  push(item: T, size: number): void {
    if (this.closed) return;
    if (this.delayMs <= 0) {
      this.release(item);
      return;
    }
    this.entries.push({ due: performance.now() + this.delayMs, item, size });
    this.queuedBytes += size;
    if (this.timer === null) this.arm();
  }

  /** Drops everything still queued; used when a connection is torn down. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.entries.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
  }

  private arm(): void {
    const first = this.entries[this.head];
    if (first === undefined) return;
    const wait = Math.max(0, first.due - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    const now = performance.now();
    while (!this.closed) {
      const entry = this.entries[this.head];
      if (entry === undefined || entry.due > now + RELEASE_SLACK_MS) break;
      this.head += 1;
      this.queuedBytes -= entry.size;
      this.release(entry.item);
    }
    // Compact occasionally so the array does not grow without bound on long transfers.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    if (!this.closed) this.arm();
  }
}
