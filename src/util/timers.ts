import { DuetError } from '../errors';

/** Rejects with DEADLINE_EXCEEDED after `ms`, or CANCELLED when `signal` aborts. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(new DuetError('CANCELLED', `${what} was cancelled.`)));
    const timer = setTimeout(
      () => finish(() => reject(new DuetError('DEADLINE_EXCEEDED', `${what} did not finish within ${ms} ms.`, { details: { timeoutMs: ms } }))),
      ms,
    );
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
