// The Node API: headless owners and scientists for scripts and tests.
//   import { createSession, joinSession } from 'duet';
import { nodeRuntime } from './adapters/node';
import { Session, type CreateOptions, type JoinOptions } from './duet/session';

export type NodeCreateOptions = Omit<CreateOptions, 'runtime'> & Partial<Pick<CreateOptions, 'runtime'>>;
export type NodeJoinOptions = Omit<JoinOptions, 'runtime'> & Partial<Pick<JoinOptions, 'runtime'>>;

/** Creates a session at the hub as its owner; read `session.code` out to the scientist. */
export function createSession(options: NodeCreateOptions): Promise<Session> {
  return Session.create({ runtime: nodeRuntime, ...options });
}

/** Joins the session with the owner's code. */
export function joinSession(options: NodeJoinOptions): Promise<Session> {
  return Session.join({ runtime: nodeRuntime, ...options });
}

export { Session } from './duet/session';
export type { SessionState, PeerView, SessionRuntime, CreateOptions, JoinOptions } from './duet/session';
export { formatCode, normalizeCode } from './duet/code';
export { DuetError, isDuetError, ERROR_CODES } from './errors';
export type { ErrorCode } from './errors';
export { defineMethod, defineEvent } from './transport/rpc-types';
export type { MethodDef, EventDef, CallOptions } from './transport/rpc-types';
export { Role } from './wire/gen/duet/v1/common_pb';
