import { isDuetError, type DuetError } from '../../src/errors';

/** "resolved", or the DuetError's "CODE:REASON"; anything else thrown fails the test. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isDuetError(e)) return `${e.code}:${e.reason ?? ''}`;
    throw e;
  }
  return 'resolved';
}

/** "ok", or the DuetError's code. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  const o = await outcome(p);
  return o === 'resolved' ? 'ok' : o.split(':')[0]!;
}

/** The same for a synchronous call. */
export function syncCodeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isDuetError(e)) return e.code;
    throw e;
  }
  return 'ok';
}

/** The DuetError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<DuetError> {
  try {
    await p;
  } catch (e) {
    if (isDuetError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}
