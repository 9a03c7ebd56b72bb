import { DuetError, isDuetError } from '../errors';

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
  // Data science: what a notebook cell or the owner's tab can meet.
  OP_NOT_ALLOWED: 'Operation not allowed',
  MALFORMED_PLAN: 'Malformed plan',
  BAD_ARGUMENT: 'Bad argument to an operation',
  SHAPE_MISMATCH: 'Shapes do not match',
  NO_SUCH_POINTER: 'Unknown or deleted pointer',
  NO_SUCH_ASSET: 'No such data set',
  NO_SUCH_COLUMN: 'No such column',
  REQUEST_DENIED: 'The data owner denied the request',
  REQUEST_EXPIRED: 'The request timed out',
  REQUEST_CANCELLED: 'Request withdrawn',
  BUDGET_EXCEEDED: 'Over the privacy budget',
  NO_BUDGET: 'No privacy budget',
  NOT_ROW_LEVEL: 'Not one value per record',
  BAD_DP_QUERY: 'Bad differential-privacy query',
  BAD_EPSILON: 'Bad ε',
  BAD_BOUNDS: 'Bad clamping bounds',
  NO_MOCK: 'No mock offered',
  LIMIT_EXCEEDED: 'Over a limit',
  PARSE_ERROR: 'Cannot read this file',
  BAD_POLICY: 'Bad policy',
  BAD_BUDGET: 'Bad budget',
  BAD_MESSAGE: 'Bad reason or message',
  ALREADY_DECIDED: 'Already decided',
  NOT_CONNECTED: 'Not connected',
};

// Errors a cell throws that are not Duet's own (a typo, a wrong call) still read as what they are.
const NATIVE: Record<string, string> = {
  CellSyntaxError: 'Syntax error in the cell',
  SyntaxError: 'Syntax error',
  TypeError: 'Type error',
  ReferenceError: 'Unknown name',
  RangeError: 'Value out of range',
};

export function explain(error: unknown): Explained {
  const e = DuetError.from(error);
  const native = !isDuetError(error) && error instanceof Error ? NATIVE[error.name] : undefined;
  return { title: (e.reason && TITLES[e.reason]) ?? native ?? 'Something went wrong', detail: e.message };
}
