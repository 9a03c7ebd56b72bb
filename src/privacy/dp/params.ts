import { DuetError } from '../../errors';
import { MAX_DELTA, MAX_EPSILON_PER_QUERY } from './constants';

// Checks on DP parameters shared by every mechanism: a bad ε or δ is the caller's mistake
// (INVALID_ARGUMENT), never something to clamp silently.

export function checkEpsilon(epsilon: number): number {
  if (!(epsilon > 0) || epsilon > MAX_EPSILON_PER_QUERY || !Number.isFinite(epsilon)) {
    throw new DuetError('INVALID_ARGUMENT', `ε must be in (0, ${MAX_EPSILON_PER_QUERY}] (MAX_EPSILON_PER_QUERY), got ${epsilon}.`, {
      reason: 'BAD_EPSILON',
      details: { limit: 'MAX_EPSILON_PER_QUERY', max: MAX_EPSILON_PER_QUERY },
    });
  }
  return epsilon;
}

export function checkDelta(delta: number | undefined, required: boolean): number {
  if (delta === undefined || delta === 0) {
    if (required) throw new DuetError('INVALID_ARGUMENT', 'This mechanism needs δ > 0.', { reason: 'BAD_DELTA' });
    return 0;
  }
  if (!(delta > 0) || delta > MAX_DELTA) {
    throw new DuetError('INVALID_ARGUMENT', `δ must be in (0, ${MAX_DELTA}] (MAX_DELTA), got ${delta}.`, {
      reason: 'BAD_DELTA',
      details: { limit: 'MAX_DELTA', max: MAX_DELTA },
    });
  }
  return delta;
}

export function checkSensitivity(s: number, name: string): number {
  if (!(s > 0) || !Number.isFinite(s)) throw new DuetError('INVALID_ARGUMENT', `${name} sensitivity must be positive and finite, got ${s}.`, { reason: 'BAD_SENSITIVITY' });
  return s;
}
