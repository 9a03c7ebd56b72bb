import { describe, expect, it } from 'vitest';
import { DuetError } from '../../src/errors';
import { explain } from '../../src/app/errors';

// The reasons a person can meet while connecting, each of which the issue asks the UI to say in words.
const PERSON_FACING = [
  'SESSION_NOT_FOUND', 'SESSION_EXPIRED', 'SESSION_FULL', 'BAD_CODE', 'VERSION_MISMATCH', 'RATE_LIMITED', 'MESSAGE_TOO_LARGE',
  'TOO_MANY_SESSIONS', 'HUB_UNREACHABLE', 'HUB_DISCONNECTED', 'PEER_CONNECTION_LOST', 'CONNECT_TIMEOUT', 'BAD_SEAL',
];

describe('app errors', () => {
  it('SE7: every person-facing reason gets a title, and the detail is the message', () => {
    for (const reason of PERSON_FACING) {
      const { title, detail } = explain(new DuetError('UNAVAILABLE', `because ${reason}`, { reason }));
      expect(title, reason).not.toBe('Something went wrong');
      expect(detail).toBe(`because ${reason}`);
    }
    expect(explain(new Error('boom')).title).toBe('Something went wrong');
  });
});
