import { describe, expect, it } from 'vitest';
import { DuetError } from '../../src/errors';
import { explain } from '../../src/app/errors';

// The reasons a person can meet while connecting, each of which the issue asks the UI to say in words.
const PERSON_FACING = [
  'SESSION_NOT_FOUND', 'SESSION_EXPIRED', 'SESSION_FULL', 'BAD_CODE', 'VERSION_MISMATCH', 'RATE_LIMITED', 'MESSAGE_TOO_LARGE',
  'TOO_MANY_SESSIONS', 'HUB_UNREACHABLE', 'HUB_DISCONNECTED', 'PEER_CONNECTION_LOST', 'CONNECT_TIMEOUT', 'BAD_SEAL',
  // ...and those a notebook cell or the owner's tab can meet (issue 5's bad inputs first).
  'OP_NOT_ALLOWED', 'MALFORMED_PLAN', 'SHAPE_MISMATCH', 'NO_SUCH_POINTER', 'REQUEST_DENIED', 'REQUEST_EXPIRED', 'BUDGET_EXCEEDED',
  'LIMIT_EXCEEDED', 'PARSE_ERROR', 'NO_BUDGET', 'NOT_ROW_LEVEL', 'BAD_DP_QUERY', 'NO_MOCK', 'NO_SUCH_ASSET', 'BAD_ARGUMENT',
];

describe('app errors', () => {
  it('SE7: every person-facing reason gets a title, and the detail is the message', () => {
    for (const reason of PERSON_FACING) {
      const { title, detail } = explain(new DuetError('UNAVAILABLE', `because ${reason}`, { reason }));
      expect(title, reason).not.toBe('Something went wrong');
      expect(detail).toBe(`because ${reason}`);
    }
    expect(explain(new Error('boom')).title).toBe('Something went wrong');
    expect(explain(new TypeError('x is not a function')).title).toBe('Type error');
  });
});
