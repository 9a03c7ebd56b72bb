// The Node API: headless owners and scientists for scripts and tests.
//   import { createSession, joinSession } from 'duet';
import { nodeRuntime } from './adapters/node';
import { registerNodeCodecs } from './adapters/node-codecs';
import type { CodecRegistry } from './codecs';
import { createTransfers, type CreateTransfersOptions, type NegotiatedTransfers } from './duet/create-transfers';
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

/**
 * Tensor transfers for a session, over every path, with the compression negotiator choosing
 * codec and path per tensor. Call it right after createSession/joinSession, before the peer
 * connects, so this side's codecs go out in the handshake.
 */
export function createNodeTransfers(session: Session, options: CreateTransfersOptions & { codecs?: CodecRegistry } = {}): NegotiatedTransfers {
  const { codecs = registerNodeCodecs(), ...rest } = options;
  return createTransfers(session, codecs, rest);
}

export { Session } from './duet/session';
export { Transfers } from './duet/transfers';
export type { SendOptions, ExpectOptions, TransferSummary, TransferAnnounced, TransferArrived, Pins } from './duet/transfers';
export { Negotiator } from './duet/negotiation';
export type { NegotiatorOptions, Pick, Preferences, LossyConsent } from './duet/negotiation';
export type { CreateTransfersOptions, NegotiatedTransfers } from './duet/create-transfers';
export type { SessionState, PeerView, SessionRuntime, CreateOptions, JoinOptions } from './duet/session';
export { formatCode, normalizeCode } from './duet/code';
export { DuetError, isDuetError, ERROR_CODES } from './errors';
export type { ErrorCode } from './errors';
export { defineMethod, defineEvent } from './transport/rpc-types';
export type { MethodDef, EventDef, CallOptions } from './transport/rpc-types';
export { Role } from './wire/gen/duet/v1/common_pb';
