import { DuetError } from './errors';

// Shared helpers for the named limits each module declares in its own constants.ts.
// A bad *setting* is a configuration error (INVALID_ARGUMENT); going past a limit at
// run time is RESOURCE_EXHAUSTED. Both messages name the limit so a person can find it.

export interface LimitRange {
  min: number;
  max: number;
}

/** Validates a configured limit; returns the default when the setting is absent. */
export function configuredLimit(name: string, value: number | undefined, fallback: number, range: LimitRange): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || !Number.isInteger(v) || v < range.min || v > range.max) {
    throw new DuetError('INVALID_ARGUMENT', `Setting ${name}=${String(value)} is invalid: it must be an integer from ${range.min} to ${range.max}.`, {
      reason: 'BAD_CONFIG',
      details: { limit: name },
    });
  }
  return v;
}

/** Throws RESOURCE_EXHAUSTED when `actual` is over `limit`; `actual === limit` is allowed. */
export function enforceLimit(name: string, actual: number, limit: number, what: string): void {
  if (actual > limit) {
    throw new DuetError('RESOURCE_EXHAUSTED', `${what} is ${actual} bytes or items, over the limit ${name}=${limit}.`, {
      reason: 'LIMIT_EXCEEDED',
      details: { limit: name, max: limit, actual },
    });
  }
}
