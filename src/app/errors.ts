import { DuetError } from '../errors';

export interface Explained {
  title: string;
  detail: string;
}

// What a person should read for each known reason; the error's own message is the detail.
const TITLES: Record<string, string> = {
  SESSION_NOT_FOUND: 'No session with this code',
  SESSION_EXPIRED: 'This session has ended',
  SESSION_FULL: 'This session is full',
  BAD_CODE: 'That is not a session code',
  VERSION_MISMATCH: 'Different versions of Duet',
  RATE_LIMITED: 'Slow down',
  MESSAGE_TOO_LARGE: 'Message too large',
  TOO_MANY_SESSIONS: 'Too many open sessions',
  HUB_UNREACHABLE: 'Cannot reach the hub',
  HUB_DISCONNECTED: 'Lost the hub',
  PEER_CONNECTION_LOST: 'Connection to the other person lost',
  CONNECT_TIMEOUT: 'Could not connect directly',
  BAD_SEAL: 'A message failed its security check',
};

export function explain(error: unknown): Explained {
  const e = DuetError.from(error);
  return { title: (e.reason && TITLES[e.reason]) ?? 'Something went wrong', detail: e.message };
}
