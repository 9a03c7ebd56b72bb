import { DuetError } from '../../src/errors';
import { enforceLimit } from '../../src/limits';

/**
 * A bounded, single-producer single-consumer byte-message queue: the relay's only buffer.
 * `push` waits while `maxBufferedBytes` are held (one message is always admitted, so a message
 * larger than the bound still passes, alone). Either side failing wakes the other at once.
 */
export class Pipe {
  private readonly queue: Uint8Array[] = [];
  private buffered = 0;
  private total = 0;
  private ended = false;
  private failure: DuetError | undefined;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  /** Most bytes ever held at once; tests and benchmarks read it. */
  peakBufferedBytes = 0;
  lastActivity: number;
  /** When the producer last handed over a message, and when the consumer last took one. */
  private lastPush: number;
  private lastPull: number;

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly maxTransferBytes: number,
    private readonly now: () => number,
  ) {
    this.lastActivity = this.lastPush = this.lastPull = now();
  }

  /** Restarts the stall clock, e.g. when the second side arrives. */
  touch(): void {
    this.lastActivity = this.now();
  }

  /** Why a stalled transfer stalled: which side went quiet, and how far it got. */
  stallFailure(stallTimeoutMs: number): DuetError {
    const now = this.now();
    // Bytes waiting mean the consumer stopped reading; none waiting mean the producer stopped sending.
    const idle = this.buffered > 0 ? 'consumer' : 'producer';
    const quietMs = now - (idle === 'consumer' ? this.lastPull : this.lastPush);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    const what = idle === 'consumer' ? `the consumer took nothing for ${(quietMs / 1000).toFixed(1)} s, with ${mb(this.buffered)} waiting for it` : `the producer sent nothing for ${(quietMs / 1000).toFixed(1)} s`;
    return new DuetError('DEADLINE_EXCEEDED', `The transfer made no progress for stallTimeoutMs=${stallTimeoutMs}: ${what} (${mb(this.total)} relayed so far).`, {
      reason: 'STALLED',
      details: { limit: 'stallTimeoutMs', idle, quietMs, relayedBytes: this.total, waitingBytes: this.buffered },
    });
  }

  get error(): DuetError | undefined {
    return this.failure;
  }

  get transferredBytes(): number {
    return this.total;
  }

  async push(chunk: Uint8Array): Promise<void> {
    while (this.failure === undefined && this.buffered > 0 && this.buffered + chunk.byteLength > this.maxBufferedBytes) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.ended) throw new DuetError('FAILED_PRECONDITION', 'The transfer already ended.', { reason: 'TRANSFER_ENDED' });
    try {
      enforceLimit('maxTransferBytes', this.total + chunk.byteLength, this.maxTransferBytes, 'The transfer');
    } catch (e) {
      this.fail(DuetError.from(e));
      throw e;
    }
    this.total += chunk.byteLength;
    this.queue.push(chunk);
    this.buffered += chunk.byteLength;
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.buffered);
    this.lastActivity = this.lastPush = this.now();
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Fails both sides; the first failure wins. */
  fail(error: DuetError): void {
    if (this.failure !== undefined || (this.ended && this.queue.length === 0)) return;
    this.failure = error;
    this.queue.length = 0;
    this.buffered = 0;
    this.wake();
  }

  async *drain(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const next = this.queue.shift();
      if (next !== undefined) {
        this.buffered -= next.byteLength;
        this.lastActivity = this.lastPull = this.now();
        this.wake();
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  private wake(): void {
    const c = this.wakeConsumer;
    const p = this.wakeProducer;
    this.wakeConsumer = undefined;
    this.wakeProducer = undefined;
    c?.();
    p?.();
  }
}
