import { create } from '@bufbuild/protobuf';
import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { withDeadline } from '../util/timers';
import { decode, encode } from '../wire/frames';
import { errorFromWire } from '../wire/errors';
import { APP_VERSION, PROTOCOL_VERSION } from '../wire/version';
import {
  ClientFrameSchema,
  LeaveReason,
  ServerFrameSchema,
  type ClientFrame,
  type HubLimits,
  type PeerInfo,
  type SessionJoined,
} from '../wire/gen/duet/v1/signal_pb';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { WebSocketLike } from './websocket';

export type { WebSocketLike } from './websocket';
export type WebSocketFactory = (url: string) => WebSocketLike;

/** How long to wait for the hub to accept a socket and answer hello, or a create/join. */
export const HUB_REPLY_TIMEOUT_MS = 10_000;
const OPEN = 1;

// The hub's close codes (signaling-server/signal-socket.ts) in words a person understands.
function closeError(code: number, reason: string): DuetError {
  switch (code) {
    case 1009:
      return new DuetError('RESOURCE_EXHAUSTED', 'The hub closed the connection: a message was far too large.', { reason: 'MESSAGE_TOO_LARGE' });
    case 1008:
      return new DuetError('RESOURCE_EXHAUSTED', 'The hub closed the connection: too many messages.', { reason: 'RATE_LIMITED' });
    case 4001:
      return new DuetError('FAILED_PRECONDITION', 'The hub runs another version of Duet. Reload the page to get the current app.', { reason: 'VERSION_MISMATCH' });
    case 4002:
      return new DuetError('DEADLINE_EXCEEDED', 'The hub closed the connection: no hello in time.', { reason: 'HELLO_TIMEOUT' });
    default:
      return new DuetError('UNAVAILABLE', `Lost the connection to the hub${reason ? ` (${reason})` : ''}.`, { reason: 'HUB_DISCONNECTED', details: { closeCode: code } });
  }
}

interface SignalingEvents {
  peerJoined: PeerInfo;
  peerLeft: { peerId: string; reason: LeaveReason };
  relayed: { from: string; sealed: Uint8Array };
  /** An error the hub sent that answers no request of ours (e.g. rate limiting). */
  error: DuetError;
  close: DuetError;
}

type FrameInit = MessageInitShape<typeof ClientFrameSchema>['msg'];

/** One WebSocket to the hub, speaking the protobuf signalling protocol. */
export class SignalingClient extends Emitter<SignalingEvents> {
  #ws: WebSocketLike;
  #waiter: { resolve(frame: SessionJoined): void; reject(e: DuetError): void } | undefined;
  #closed = false;
  limits: HubLimits | undefined;

  private constructor(ws: WebSocketLike) {
    super();
    this.#ws = ws;
  }

  /** Opens a socket and says hello; resolves once the hub answers. */
  static async connect(url: string, factory: WebSocketFactory, protocolVersion = PROTOCOL_VERSION): Promise<SignalingClient> {
    let ws: WebSocketLike;
    try {
      ws = factory(url);
    } catch (cause) {
      throw new DuetError('UNAVAILABLE', `Cannot reach the hub at ${url}.`, { reason: 'HUB_UNREACHABLE', cause });
    }
    ws.binaryType = 'arraybuffer';
    const client = new SignalingClient(ws);
    const hello = new Promise<void>((resolve, reject) => {
      ws.onopen = () => ws.send(encode(ClientFrameSchema, create(ClientFrameSchema, { msg: { case: 'hello', value: { protocolVersion, appVersion: APP_VERSION } } })));
      ws.onerror = () => reject(new DuetError('UNAVAILABLE', `Cannot reach the hub at ${url}. Is it running?`, { reason: 'HUB_UNREACHABLE' }));
      ws.onclose = (ev) => reject(closeError(ev.code, ev.reason));
      ws.onmessage = (ev) => {
        try {
          const frame = decode(ServerFrameSchema, new Uint8Array(ev.data as ArrayBuffer), 'hub message');
          if (frame.msg.case === 'hello') {
            client.limits = frame.msg.value.limits;
            client.#attach();
            resolve();
          } else if (frame.msg.case === 'error') reject(errorFromWire(frame.msg.value));
        } catch (e) {
          reject(DuetError.from(e));
        }
      };
    });
    try {
      await withDeadline(hello, HUB_REPLY_TIMEOUT_MS, 'Connecting to the hub');
    } catch (e) {
      ws.onclose = ws.onerror = ws.onmessage = null;
      ws.close();
      throw e;
    }
    return client;
  }

  get open(): boolean {
    return !this.#closed && this.#ws.readyState === OPEN;
  }

  create(lookup: Uint8Array, role: number, maxPeers = 0): Promise<SessionJoined> {
    return this.#ask({ case: 'create', value: { lookup, role, maxPeers } });
  }

  join(lookup: Uint8Array, role: number): Promise<SessionJoined> {
    return this.#ask({ case: 'join', value: { lookup, role } });
  }

  resume(lookup: Uint8Array, peerId: string, resumeToken: Uint8Array): Promise<SessionJoined> {
    return this.#ask({ case: 'resume', value: { lookup, peerId, resumeToken } });
  }

  relay(to: string, sealed: Uint8Array): void {
    this.#send({ case: 'relay', value: { to, sealed } });
  }

  leave(): void {
    if (this.open) this.#send({ case: 'leave', value: {} });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.onclose = null;
    this.#ws.close(1000, 'bye');
    this.#waiter?.reject(new DuetError('CANCELLED', 'The hub connection was closed.'));
  }

  /** Sends raw bytes; only tests use this, to play a broken or hostile client. */
  sendRaw(bytes: Uint8Array): void {
    this.#ws.send(bytes);
  }

  #attach(): void {
    this.#ws.onmessage = (ev) => this.#onMessage(ev.data);
    this.#ws.onerror = () => undefined; // a close event always follows
    this.#ws.onclose = (ev) => {
      if (this.#closed) return;
      this.#closed = true;
      const error = closeError(ev.code, ev.reason);
      this.#waiter?.reject(error);
      this.emit('close', error);
    };
  }

  async #ask(msg: FrameInit): Promise<SessionJoined> {
    if (this.#waiter) throw new DuetError('FAILED_PRECONDITION', 'A session request to the hub is already in progress.');
    const reply = new Promise<SessionJoined>((resolve, reject) => (this.#waiter = { resolve, reject }));
    try {
      this.#send(msg);
      return await withDeadline(reply, HUB_REPLY_TIMEOUT_MS, 'The hub');
    } finally {
      this.#waiter = undefined;
    }
  }

  #send(msg: FrameInit): void {
    if (!this.open) throw new DuetError('UNAVAILABLE', 'Not connected to the hub.', { reason: 'HUB_DISCONNECTED' });
    const frame: ClientFrame = create(ClientFrameSchema, { msg });
    this.#ws.send(encode(ClientFrameSchema, frame));
  }

  #onMessage(data: unknown): void {
    let frame;
    try {
      frame = decode(ServerFrameSchema, new Uint8Array(data as ArrayBuffer), 'hub message');
    } catch (e) {
      return this.emit('error', DuetError.from(e));
    }
    const msg = frame.msg;
    switch (msg.case) {
      case 'joined':
        return this.#waiter?.resolve(msg.value);
      case 'error': {
        const error = errorFromWire(msg.value);
        if (this.#waiter) return this.#waiter.reject(error);
        return this.emit('error', error);
      }
      case 'peerJoined':
        if (msg.value.peer) this.emit('peerJoined', msg.value.peer);
        return;
      case 'peerLeft':
        return this.emit('peerLeft', { peerId: msg.value.peerId, reason: msg.value.reason });
      case 'relayed':
        return this.emit('relayed', { from: msg.value.from, sealed: msg.value.sealed });
      default:
        return;
    }
  }
}
