import type { Readable } from 'node:stream';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { DuetError } from '../errors';

// Backpressure helpers for grpc-js calls. grpc-js buffers up to 16 messages in each stream
// object before `write` returns false, which with 4 MiB messages is 64 MiB; so writes are
// bounded by bytes in flight instead, and reads pull one message at a time.

interface Writable {
  write(message: unknown, cb: () => void): boolean;
}

/** Writes messages keeping at most `maxInFlightBytes` unacknowledged by grpc-js. */
export class BoundedWriter {
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private failed: DuetError | undefined;

  constructor(
    private readonly call: Writable,
    private readonly maxInFlightBytes: number,
  ) {}

  fail(e: DuetError): void {
    this.failed ??= e;
    this.wake?.();
  }

  async write(message: unknown, bytes: number): Promise<void> {
    while (this.failed === undefined && this.inFlight > 0 && this.inFlight + bytes > this.maxInFlightBytes) {
      await new Promise<void>((r) => (this.wake = r));
    }
    if (this.failed !== undefined) throw this.failed;
    this.inFlight += bytes;
    this.call.write(message, () => {
      this.inFlight -= bytes;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    });
  }
}

/**
 * Messages of a grpc-js stream (client or server side), one at a time, pausing the stream
 * until each is taken (so memory stays bounded). Errors become DuetErrors through `toError`;
 * a server call the client cancels ends the iteration with `onCancel`.
 */
export async function* readMessages<T>(call: Readable, toError: (e: unknown) => DuetError, onCancel?: () => DuetError): AsyncGenerator<T> {
  const queue: T[] = [];
  let ended = false;
  let error: DuetError | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  call.on('data', (m: T) => {
    queue.push(m);
    call.pause();
    signal();
  });
  call.on('end', () => {
    ended = true;
    signal();
  });
  call.on('error', (e: unknown) => {
    error ??= toError(e);
    signal();
  });
  if (onCancel) {
    call.on('cancelled', () => {
      error ??= onCancel();
      signal();
    });
  }
  for (;;) {
    const m = queue.shift();
    if (m !== undefined) {
      yield m;
      call.resume();
      continue;
    }
    if (error !== undefined) throw error;
    if (ended) return;
    await new Promise<void>((r) => (wake = r));
  }
}
