import { create } from '@bufbuild/protobuf';
import type { WebSocket } from 'ws';
import { DuetError } from '../src/errors';
import { decode, encode } from '../src/wire/frames';
import { errorToWire } from '../src/wire/errors';
import { isCompatible, PROTOCOL_VERSION } from '../src/wire/version';
import {
  ClientFrameSchema,
  HubLimitsSchema,
  ServerFrameSchema,
  ServerHelloSchema,
  SessionJoinedSchema,
  type ClientFrame,
  type ServerFrame,
} from '../src/wire/gen/duet/v1/signal_pb';
import type { HubLimits } from './constants';
import { TokenBucket } from './rate-limit';
import type { HubPeer, HubSession, SessionRegistry } from './sessions';

// One hub WebSocket: frame size and rate checks, the hello, then create/join/resume/relay/leave.
// Any error in one socket is answered on that socket only; nothing here may throw upward.

/** WebSocket close codes the hub uses, besides 1009 (too big, sent by ws itself). */
export const CLOSE_CODES = { RATE_ABUSE: 1008, VERSION_MISMATCH: 4001, HELLO_TIMEOUT: 4002 } as const;

export class SignalSocket {
  readonly #bucket: TokenBucket;
  #hello = false;
  #alive = true;
  #lastRateError = -Infinity;
  #session: HubSession | undefined;
  #peer: HubPeer | undefined;
  readonly #helloTimer: ReturnType<typeof setTimeout>;
  readonly #sink = { send: (f: ServerFrame) => this.#send(f) };

  constructor(
    private readonly ws: WebSocket,
    private readonly ip: string,
    private readonly registry: SessionRegistry,
    private readonly limits: HubLimits,
  ) {
    this.#bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.#helloTimer = setTimeout(() => this.#refuse(new DuetError('DEADLINE_EXCEEDED', 'No hello within the time allowed.', { reason: 'HELLO_TIMEOUT' }), CLOSE_CODES.HELLO_TIMEOUT), limits.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', () => this.#onClose());
    ws.on('error', () => ws.terminate());
  }

  /** Called every heartbeat interval: drop the socket if it missed the last ping. */
  heartbeat(): void {
    if (!this.#alive) {
      this.ws.terminate();
      return;
    }
    this.#alive = false;
    this.ws.ping();
  }

  #onMessage(data: unknown, isBinary: boolean): void {
    try {
      if (!this.#bucket.take()) {
        // Say it at most once a second so a flood cannot turn the hub into an amplifier.
        const now = performance.now();
        if (now - this.#lastRateError > 1000) {
          this.#lastRateError = now;
          throw new DuetError('RESOURCE_EXHAUSTED', `Too many messages: the hub allows ${this.limits.messagesPerSecond} per second.`, {
            reason: 'RATE_LIMITED',
            details: { limit: 'messagesPerSecond', max: this.limits.messagesPerSecond },
          });
        }
        return;
      }
      if (!isBinary || !(data instanceof Buffer)) {
        throw new DuetError('INVALID_ARGUMENT', 'The hub expects binary protobuf frames.', { reason: 'MALFORMED_MESSAGE' });
      }
      if (data.byteLength > this.limits.maxMessageBytes) {
        throw new DuetError('RESOURCE_EXHAUSTED', `A signalling message of ${data.byteLength} bytes is over the ${this.limits.maxMessageBytes}-byte limit.`, {
          reason: 'MESSAGE_TOO_LARGE',
          details: { limit: 'maxMessageBytes', max: this.limits.maxMessageBytes, actual: data.byteLength },
        });
      }
      this.#handle(decode(ClientFrameSchema, data, 'signalling message'));
    } catch (e) {
      this.#sendError(e);
    }
  }

  #handle(frame: ClientFrame): void {
    const msg = frame.msg;
    if (msg.case === undefined) {
      throw new DuetError('INVALID_ARGUMENT', 'Malformed signalling message: it has no content.', { reason: 'MALFORMED_MESSAGE' });
    }
    if (!this.#hello) {
      if (msg.case !== 'hello') throw new DuetError('FAILED_PRECONDITION', 'Say hello first.', { reason: 'HELLO_REQUIRED' });
      clearTimeout(this.#helloTimer);
      if (!isCompatible(msg.value.protocolVersion)) {
        const e = new DuetError(
          'FAILED_PRECONDITION',
          `This app speaks protocol ${msg.value.protocolVersion || '(none)'}, the hub speaks ${PROTOCOL_VERSION}. Reload the page to get the current app.`,
          { reason: 'VERSION_MISMATCH', details: { theirs: msg.value.protocolVersion, ours: PROTOCOL_VERSION } },
        );
        return this.#refuse(e, CLOSE_CODES.VERSION_MISMATCH);
      }
      this.#hello = true;
      const l = this.limits;
      const limits = create(HubLimitsSchema, {
        maxMessageBytes: l.maxMessageBytes,
        maxMessagesPerSecond: l.messagesPerSecond,
        maxPeersPerSession: l.maxPeersPerSession,
        maxSessionsPerIp: l.maxSessionsPerIp,
        sessionIdleMs: l.sessionIdleMs,
        heartbeatMs: l.heartbeatMs,
        resumeGraceMs: l.resumeGraceMs,
      });
      return this.#send(create(ServerFrameSchema, { msg: { case: 'hello', value: create(ServerHelloSchema, { protocolVersion: PROTOCOL_VERSION, limits }) } }));
    }
    switch (msg.case) {
      case 'hello':
        throw new DuetError('FAILED_PRECONDITION', 'Hello was already said.', { reason: 'MALFORMED_MESSAGE' });
      case 'create':
        this.#enter(() => this.registry.create(msg.value.lookup, msg.value.role, msg.value.maxPeers, this.ip, this.#sink));
        return;
      case 'join':
        this.#enter(() => this.registry.join(msg.value.lookup, msg.value.role, this.#sink));
        return;
      case 'resume':
        this.#enter(() => this.registry.resume(msg.value.lookup, msg.value.peerId, msg.value.resumeToken, this.#sink));
        return;
      case 'relay':
        this.registry.relay(this.#mine('relay').session, this.#mine('relay').peer, msg.value.to, msg.value.sealed);
        return;
      case 'leave': {
        const { session, peer } = this.#mine('leave');
        this.#session = this.#peer = undefined;
        this.registry.leave(session, peer);
        return;
      }
    }
  }

  #enter(admit: () => { session: HubSession; peer: HubPeer }): void {
    if (this.#session) throw new DuetError('FAILED_PRECONDITION', 'This connection is already in a session; leave it first.', { reason: 'ALREADY_IN_SESSION' });
    const { session, peer } = admit();
    this.#session = session;
    this.#peer = peer;
    const peers = [...session.peers.values()].filter((p) => p !== peer && p.sink).map((p) => ({ peerId: p.id, role: p.role }));
    const joined = create(SessionJoinedSchema, {
      peerId: peer.id,
      resumeToken: peer.token,
      role: peer.role,
      maxPeers: session.maxPeers,
      peers,
      flightCredential: peer.flightCredential,
    });
    this.#send(create(ServerFrameSchema, { msg: { case: 'joined', value: joined } }));
  }

  #mine(what: string): { session: HubSession; peer: HubPeer } {
    if (!this.#session || !this.#peer || this.#peer.sink !== this.#sink) {
      throw new DuetError('FAILED_PRECONDITION', `Cannot ${what}: this connection is not in a session.`, { reason: 'NOT_IN_SESSION' });
    }
    return { session: this.#session, peer: this.#peer };
  }

  #onClose(): void {
    clearTimeout(this.#helloTimer);
    if (this.#session && this.#peer && this.#peer.sink === this.#sink) this.registry.drop(this.#session, this.#peer);
    this.#session = this.#peer = undefined;
  }

  #refuse(error: DuetError, closeCode: number): void {
    this.#sendError(error);
    this.ws.close(closeCode, error.reason ?? error.code);
  }

  #sendError(e: unknown): void {
    this.#send(create(ServerFrameSchema, { msg: { case: 'error', value: errorToWire(e) } }));
  }

  #send(frame: ServerFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encode(ServerFrameSchema, frame));
  }
}
