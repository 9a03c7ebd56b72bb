import { isDuetError, type DuetError } from '../../src/errors';

/** The DuetError `fn` throws; fails the test if it throws anything else or nothing. */
export function thrown(fn: () => unknown): DuetError {
  try {
    fn();
  } catch (e) {
    if (isDuetError(e)) return e;
    throw e;
  }
  throw new Error('did not throw');
}

/** The DuetError a promise rejects with; fails the test otherwise. */

export { rejection } from '../helpers/errors';
