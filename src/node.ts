// The Node API: headless owners and scientists for scripts and tests.
//   import { createSession, joinSession } from 'duet';
import { nodeRuntime } from './adapters/node';
import { registerNodeCodecs } from './adapters/node-codecs';
import type { CodecRegistry } from './codecs';
import { createTransfers, type CreateTransfersOptions, type NegotiatedTransfers } from './duet/create-transfers';
import { DataOwner, type OwnerOptions } from './duet/owner';
import { DataScientist, type ScientistOptions } from './duet/scientist';
import { Session, type CreateOptions, type JoinOptions } from './duet/session';
import { Transfers, type PathPlugin } from './duet/transfers';

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

/** Negotiated transfers over every path, or plain ones over the paths given. */
function transfersFor(session: Session, paths: readonly PathPlugin[] | undefined): Transfers {
  return paths ? new Transfers(session, paths) : createNodeTransfers(session).transfers;
}

export interface NodeOwnerOptions extends NodeCreateOptions, OwnerOptions {
  /** Tensor paths to offer; default: all three, chosen per tensor by the negotiator. */
  paths?: readonly PathPlugin[];
}

export interface NodeScientistOptions extends NodeJoinOptions, ScientistOptions {
  paths?: readonly PathPlugin[];
}

/** A data owner on a new session: read `session.code` out to the scientist. */
export interface OwnerHandle {
  readonly session: Session;
  readonly owner: DataOwner;
  close(): void;
}

/** A data scientist on the owner's session; `duet` is the same object notebook cells use. */
export interface ScientistHandle {
  readonly session: Session;
  readonly duet: DataScientist;
  close(): void;
}

/** Creates a session and serves the store on it as the data owner. */
export async function createOwner(options: NodeOwnerOptions): Promise<OwnerHandle> {
  const session = await createSession(options);
  const owner = new DataOwner(session, transfersFor(session, options.paths), options);
  return { session, owner, close: () => (owner.close(), session.close()) };
}

/** Joins the owner's session as a data scientist. Await `session.connected()` before the first call. */
export async function joinAsScientist(options: NodeScientistOptions): Promise<ScientistHandle> {
  const session = await joinSession(options);
  const duet = new DataScientist(session, transfersFor(session, options.paths), options);
  return { session, duet, close: () => session.close() };
}

export { DataOwner } from './duet/owner';
export type { OwnerOptions, ActivityEntry, OwnerTopic } from './duet/owner';
export { DataScientist } from './duet/scientist';
export type { ScientistOptions, RemoteStore } from './duet/scientist';
export { Remote, isRemote } from './duet/remote';
export type { Operand, GetOptions, DpOptions } from './duet/remote';
export type { AssetView, PointerView, RequestView, BudgetView, DpRelease, TransferView } from './duet/ds-types';
export { Store } from './duet/store';
export type { AddAssetInput, AssetMeta } from './duet/store';
export { loadFile } from './duet/data/load';
export type { Table, Column } from './duet/data/table';
export type { PlanValue, Plan } from './duet/plan/types';
export { loadDemoStore, loadFilesIntoStore } from './adapters/node-files';
export { isTensor, tensor } from './tensor';
export type { Tensor } from './tensor';
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
