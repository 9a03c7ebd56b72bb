import { create } from '@bufbuild/protobuf';
import { DuetError } from '../src/errors';
import {
  LeaveReason,
  PeerInfoSchema,
  PeerJoinedSchema,
  PeerLeftSchema,
  RelayedSchema,
  ServerFrameSchema,
  type ServerFrame,
} from '../src/wire/gen/duet/v1/signal_pb';
import { errorToWire } from '../src/wire/errors';
import { Role } from '../src/wire/gen/duet/v1/common_pb';
import { randomId, toHex } from '../src/util/bytes';
import { EXPIRED_MEMORY_ENTRIES, EXPIRED_MEMORY_MS, type HubLimits } from './constants';

// The hub's session registry: who is in which session, slots held for dropped peers,
// and idle expiry. It knows nothing of sockets; a `Sink` delivers frames to a peer.

export interface Sink {
  send(frame: ServerFrame): void;
}

export interface HubPeer {
  readonly id: string;
  readonly role: Role;
  readonly token: Uint8Array;
  /** Proves session membership to the Flight service (its Handshake payload). */
  readonly flightCredential: Uint8Array;
  sink: Sink | undefined; // undefined while dropped and waiting to resume
  graceTimer?: ReturnType<typeof setTimeout>;
}

export interface HubSession {
  readonly key: string;
  readonly ownerIp: string;
  readonly maxPeers: number;
  readonly peers: Map<string, HubPeer>;
  idleTimer?: ReturnType<typeof setTimeout>;
}

export const LOOKUP_BYTES = 32;

function frame(msg: ServerFrame['msg']): ServerFrame {
  return create(ServerFrameSchema, { msg });
}

function peerInfo(p: HubPeer) {
  return create(PeerInfoSchema, { peerId: p.id, role: p.role });
}

function lookupKey(lookup: Uint8Array): string {
  if (lookup.byteLength !== LOOKUP_BYTES) {
    throw new DuetError('INVALID_ARGUMENT', `A session lookup must be ${LOOKUP_BYTES} bytes, got ${lookup.byteLength}.`, { reason: 'MALFORMED_MESSAGE' });
  }
  return toHex(lookup);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!; // constant time: tokens are secrets
  return diff === 0;
}

export class SessionRegistry {
  readonly #sessions = new Map<string, HubSession>();
  readonly #expired = new Map<string, number>(); // key -> when it ended; insertion-ordered
  readonly #credentials = new Map<string, { session: HubSession; peer: HubPeer }>();

  constructor(private readonly limits: HubLimits) {}

  get size(): number {
    return this.#sessions.size;
  }

  get peerCount(): number {
    let n = 0;
    for (const s of this.#sessions.values()) n += s.peers.size;
    return n;
  }

  create(lookup: Uint8Array, role: Role, maxPeers: number, ip: string, sink: Sink): { session: HubSession; peer: HubPeer } {
    const key = lookupKey(lookup);
    if (role !== Role.OWNER && role !== Role.PEER) {
      throw new DuetError('INVALID_ARGUMENT', 'Only an owner or a multi-party peer can create a session.', { reason: 'BAD_ROLE' });
    }
    const peers = maxPeers === 0 ? this.limits.defaultPeersPerSession : maxPeers;
    if (peers < 2 || peers > this.limits.maxPeersPerSession) {
      throw new DuetError('INVALID_ARGUMENT', `A session holds 2 to ${this.limits.maxPeersPerSession} peers; ${peers} were asked for.`, {
        reason: 'BAD_PEER_COUNT',
        details: { limit: 'maxPeersPerSession', max: this.limits.maxPeersPerSession },
      });
    }
    if (this.#sessions.has(key)) {
      throw new DuetError('ALREADY_EXISTS', 'This session code is already in use; make a new one.', { reason: 'CODE_TAKEN' });
    }
    let mine = 0;
    for (const s of this.#sessions.values()) if (s.ownerIp === ip) mine++;
    if (mine >= this.limits.maxSessionsPerIp) {
      throw new DuetError('RESOURCE_EXHAUSTED', `You already have ${mine} open sessions, the most one address may hold. Close one first.`, {
        reason: 'TOO_MANY_SESSIONS',
        details: { limit: 'maxSessionsPerIp', max: this.limits.maxSessionsPerIp },
      });
    }
    this.#expired.delete(key);
    const session: HubSession = { key, ownerIp: ip, maxPeers: peers, peers: new Map() };
    this.#sessions.set(key, session);
    return { session, peer: this.#admit(session, role, sink) };
  }

  join(lookup: Uint8Array, role: Role, sink: Sink): { session: HubSession; peer: HubPeer } {
    const key = lookupKey(lookup);
    if (role !== Role.SCIENTIST && role !== Role.PEER) {
      throw new DuetError('INVALID_ARGUMENT', 'Only a scientist or a multi-party peer can join a session.', { reason: 'BAD_ROLE' });
    }
    const session = this.#find(key);
    if (session.peers.size >= session.maxPeers) {
      const held = [...session.peers.values()].some((p) => !p.sink);
      const why = held
        ? `a place is held for someone who dropped and may come back within ${Math.round(this.limits.resumeGraceMs / 1000)} s; try again shortly`
        : 'everyone is here';
      throw new DuetError('RESOURCE_EXHAUSTED', `This session is full (${session.maxPeers} people): ${why}.`, {
        reason: 'SESSION_FULL',
        details: { limit: 'maxPeersPerSession', max: session.maxPeers },
      });
    }
    return { session, peer: this.#admit(session, role, sink) };
  }

  resume(lookup: Uint8Array, peerId: string, token: Uint8Array, sink: Sink): { session: HubSession; peer: HubPeer } {
    const session = this.#find(lookupKey(lookup));
    const peer = session.peers.get(peerId);
    if (!peer || !sameBytes(peer.token, token)) {
      throw new DuetError('PERMISSION_DENIED', 'This place in the session was given up or is not yours; join again with the code.', {
        reason: 'RESUME_REFUSED',
      });
    }
    clearTimeout(peer.graceTimer);
    peer.sink?.send(frame({ case: 'error', value: errorToWire(new DuetError('ABORTED', 'This session was resumed from another connection.', { reason: 'REPLACED' })) }));
    peer.sink = sink;
    clearTimeout(session.idleTimer);
    this.#broadcast(session, peer.id, frame({ case: 'peerJoined', value: create(PeerJoinedSchema, { peer: peerInfo(peer) }) }));
    return { session, peer };
  }

  relay(session: HubSession, from: HubPeer, to: string, sealed: Uint8Array): void {
    const target = session.peers.get(to);
    if (!target?.sink || target === from) {
      throw new DuetError('UNAVAILABLE', 'The other person is not connected to the hub right now.', { reason: 'PEER_NOT_CONNECTED', details: { peerId: to } });
    }
    target.sink.send(frame({ case: 'relayed', value: create(RelayedSchema, { from: from.id, sealed }) }));
  }

  leave(session: HubSession, peer: HubPeer): void {
    this.#remove(session, peer, LeaveReason.LEFT);
  }

  /** The peer's socket went away: hold its slot for the grace period. */
  drop(session: HubSession, peer: HubPeer): void {
    if (!session.peers.has(peer.id)) return;
    peer.sink = undefined;
    this.#broadcast(session, peer.id, frame({ case: 'peerLeft', value: create(PeerLeftSchema, { peerId: peer.id, reason: LeaveReason.DROPPED }) }));
    peer.graceTimer = setTimeout(() => this.#remove(session, peer, LeaveReason.GONE), this.limits.resumeGraceMs);
    this.#checkIdle(session);
  }

  close(): void {
    for (const s of this.#sessions.values()) this.#end(s);
  }

  /** The session a Flight credential belongs to, while its peer still holds a slot. */
  sessionOfCredential(credential: Uint8Array): HubSession | undefined {
    const entry = this.#credentials.get(toHex(credential));
    return entry && entry.session.peers.get(entry.peer.id) === entry.peer ? entry.session : undefined;
  }

  #admit(session: HubSession, role: Role, sink: Sink): HubPeer {
    const peer: HubPeer = {
      id: randomId(8),
      role,
      token: crypto.getRandomValues(new Uint8Array(16)),
      flightCredential: crypto.getRandomValues(new Uint8Array(32)),
      sink,
    };
    session.peers.set(peer.id, peer);
    this.#credentials.set(toHex(peer.flightCredential), { session, peer });
    clearTimeout(session.idleTimer);
    this.#broadcast(session, peer.id, frame({ case: 'peerJoined', value: create(PeerJoinedSchema, { peer: peerInfo(peer) }) }));
    return peer;
  }

  #find(key: string): HubSession {
    const session = this.#sessions.get(key);
    if (session) return session;
    const ended = this.#expired.get(key);
    if (ended !== undefined && Date.now() - ended < EXPIRED_MEMORY_MS) {
      throw new DuetError('NOT_FOUND', 'This session has ended or expired. Ask the owner for a new code.', { reason: 'SESSION_EXPIRED' });
    }
    throw new DuetError('NOT_FOUND', 'No session has this code. Check the code with the owner.', { reason: 'SESSION_NOT_FOUND' });
  }

  #remove(session: HubSession, peer: HubPeer, reason: LeaveReason): void {
    if (session.peers.get(peer.id) !== peer) return;
    clearTimeout(peer.graceTimer);
    session.peers.delete(peer.id);
    this.#credentials.delete(toHex(peer.flightCredential));
    this.#broadcast(session, peer.id, frame({ case: 'peerLeft', value: create(PeerLeftSchema, { peerId: peer.id, reason }) }));
    if (session.peers.size === 0) this.#end(session);
    else this.#checkIdle(session);
  }

  #checkIdle(session: HubSession): void {
    for (const p of session.peers.values()) if (p.sink) return;
    clearTimeout(session.idleTimer);
    session.idleTimer = setTimeout(() => this.#end(session), this.limits.sessionIdleMs);
  }

  #end(session: HubSession): void {
    clearTimeout(session.idleTimer);
    for (const p of session.peers.values()) {
      clearTimeout(p.graceTimer);
      this.#credentials.delete(toHex(p.flightCredential));
    }
    if (this.#sessions.get(session.key) !== session) return;
    this.#sessions.delete(session.key);
    this.#expired.set(session.key, Date.now());
    while (this.#expired.size > EXPIRED_MEMORY_ENTRIES) this.#expired.delete(this.#expired.keys().next().value!);
  }

  #broadcast(session: HubSession, except: string, f: ServerFrame): void {
    for (const p of session.peers.values()) if (p.id !== except) p.sink?.send(f);
  }
}
