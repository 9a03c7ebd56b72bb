import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { withDeadline } from '../util/timers';
import { decode, encode } from '../wire/frames';
import { errorFromWire, errorToWire } from '../wire/errors';
import { APP_VERSION, isCompatible, PROTOCOL_VERSION } from '../wire/version';
import { Role } from '../wire/gen/duet/v1/common_pb';
import { ControlFrameSchema, PeerHelloSchema, type ControlFrame, type PeerHello } from '../wire/gen/duet/v1/control_pb';
import { ENVELOPE_HEADROOM_BYTES, HIGH_WATER_BYTES, resolveControlLimits, type ControlLimits } from './constants';
import { FragmentAssembler, fragmentFrame } from './fragments';
import type { PeerTransport } from './peer-transport';
import type { CallOptions, EventDef, Handler, HandlerContext, MethodDef } from './rpc-types';

export interface ControlChannelOptions {
  role: Role;
  capabilities?: string[];
  appVersion?: string;
  /** Only tests set this, to play an incompatible peer. */
  protocolVersion?: string;
  limits?: Partial<ControlLimits>;
}

export interface PeerInfo {
  protocolVersion: string;
  appVersion: string;
  role: Role;
  capabilities: string[];
  maxMessageBytes: number;
}

interface ChannelEvents {
  close: DuetError | undefined;
  /** Every RTT measured by ping(), in milliseconds. */
  rtt: number;
}

type FrameInit = MessageInitShape<typeof ControlFrameSchema>['msg'];

interface Outgoing {
  bytes: Uint8Array;
  /** Set on a frame's last piece: called once it is handed to the transport. */
  done?: () => void;
}

type RawHandler = (payload: Uint8Array, ctx: HandlerContext) => Promise<Uint8Array>;

interface Pending<T = Uint8Array> {
  resolve(value: T): void;
  reject(error: DuetError): void;
}

/**
 * The typed control channel over one PeerTransport: a version handshake, request/response
 * calls with correlation ids, deadlines and cancellation, one-way events and ping.
 * Small frames overtake the fragments of large ones, so a big message never stalls a ping.
 */
export class ControlChannel extends Emitter<ChannelEvents> {
  readonly limits: ControlLimits;
  #peer: PeerInfo | undefined;
  #helloWaiter: { resolve(h: PeerHello): void; reject(e: DuetError): void } | undefined;
  #earlyHello: PeerHello | undefined;
  #closed: DuetError | null | undefined; // undefined while open; null after a deliberate close
  #nextId = 1;
  #nextNonce = 1n;
  readonly #pending = new Map<number, Pending>();
  readonly #pings = new Map<bigint, Pending<number>>();
  readonly #handlers = new Map<string, RawHandler>();
  readonly #eventListeners = new Map<string, Set<(payload: Uint8Array) => void>>();
  readonly #incoming = new Map<number, AbortController>();
  readonly #assembler: FragmentAssembler;
  readonly #urgent: Outgoing[] = [];
  readonly #bulk: Outgoing[] = [];
  #pumping = false;

  constructor(
    private readonly transport: PeerTransport,
    private readonly options: ControlChannelOptions,
  ) {
    super();
    this.limits = resolveControlLimits(options.limits);
    this.#assembler = new FragmentAssembler(this.limits.maxMessageBytes + ENVELOPE_HEADROOM_BYTES, this.limits.maxPartialMessages);
    transport.on('message', (bytes) => this.#onMessage(bytes));
    transport.on('close', (error) => this.#shutdown(error ?? null));
  }

  /** The other side's hello; set once start() has resolved. */
  get peer(): PeerInfo {
    if (!this.#peer) throw new DuetError('FAILED_PRECONDITION', 'The control channel has not finished its handshake.');
    return this.#peer;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Sends our hello and waits for the peer's; refuses an incompatible peer. */
  async start(): Promise<PeerInfo> {
    const hello = create(PeerHelloSchema, {
      protocolVersion: this.options.protocolVersion ?? PROTOCOL_VERSION,
      appVersion: this.options.appVersion ?? APP_VERSION,
      role: this.options.role,
      capabilities: this.options.capabilities ?? [],
      maxMessageBytes: this.limits.maxMessageBytes,
    });
    const theirs = new Promise<PeerHello>((resolve, reject) => {
      if (this.#earlyHello) return resolve(this.#earlyHello);
      this.#helloWaiter = { resolve, reject };
    });
    await this.#enqueue({ case: 'hello', value: hello }, true);
    const h = await withDeadline(theirs, this.limits.handshakeTimeoutMs, 'The handshake with the peer').catch((e: unknown) => {
      const error = DuetError.from(e);
      this.close(error);
      throw error;
    });
    const ours = this.options.protocolVersion ?? PROTOCOL_VERSION;
    if (!isCompatible(h.protocolVersion, ours)) {
      const error = new DuetError(
        'FAILED_PRECONDITION',
        `The other person runs Duet protocol ${h.protocolVersion || '(unknown)'} and you run ${ours}. Both must use the same major version: reload the page or update.`,
        { reason: 'VERSION_MISMATCH', details: { theirs: h.protocolVersion, ours } },
      );
      this.close(error);
      throw error;
    }
    this.#peer = {
      protocolVersion: h.protocolVersion,
      appVersion: h.appVersion,
      role: h.role,
      capabilities: [...h.capabilities],
      maxMessageBytes: h.maxMessageBytes || this.limits.maxMessageBytes,
    };
    return this.#peer;
  }

  handle<Req extends DescMessage, Res extends DescMessage>(def: MethodDef<Req, Res>, handler: Handler<Req, Res>): void {
    this.handleRaw(def.name, async (payload, ctx) => {
      const request = decode(def.request, payload, `${def.name} request`);
      return encode(def.response, create(def.response, await handler(request, ctx)));
    });
  }

  handleRaw(method: string, handler: RawHandler): void {
    this.#handlers.set(method, handler);
  }

  async call<Req extends DescMessage, Res extends DescMessage>(
    def: MethodDef<Req, Res>,
    request: MessageInitShape<Req>,
    options: CallOptions = {},
  ): Promise<MessageShape<Res>> {
    const payload = await this.callRaw(def.name, encode(def.request, create(def.request, request)), options);
    return decode(def.response, payload, `${def.name} response`);
  }

  async callRaw(method: string, payload: Uint8Array, options: CallOptions = {}): Promise<Uint8Array> {
    this.#assertOpen();
    this.#checkSize(payload.byteLength, `The ${method} request`);
    if (this.#pending.size >= this.limits.maxPendingCalls) {
      throw new DuetError('RESOURCE_EXHAUSTED', `Too many calls in flight (limit maxPendingCalls=${this.limits.maxPendingCalls}).`, {
        reason: 'LIMIT_EXCEEDED',
        details: { limit: 'maxPendingCalls', max: this.limits.maxPendingCalls },
      });
    }
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? this.limits.defaultCallTimeoutMs;
    const result = new Promise<Uint8Array>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    try {
      await this.#enqueue({ case: 'request', value: { id, method, payload, timeoutMs } }, false);
      return await withDeadline(result, timeoutMs, `The call ${method}`, options.signal);
    } catch (e) {
      const error = DuetError.from(e);
      if (this.#pending.delete(id) && (error.code === 'CANCELLED' || error.code === 'DEADLINE_EXCEEDED') && !this.closed) {
        void this.#enqueue({ case: 'cancel', value: { id } }, true).catch(() => undefined);
      }
      throw error;
    }
  }

  async emitEvent<E extends DescMessage>(def: EventDef<E>, message: MessageInitShape<E>): Promise<void> {
    this.#assertOpen();
    const payload = encode(def.schema, create(def.schema, message));
    this.#checkSize(payload.byteLength, `The ${def.name} event`);
    await this.#enqueue({ case: 'event', value: { name: def.name, payload } }, false);
  }

  onEvent<E extends DescMessage>(def: EventDef<E>, listener: (message: MessageShape<E>) => void): () => void {
    let set = this.#eventListeners.get(def.name);
    if (!set) this.#eventListeners.set(def.name, (set = new Set()));
    const wrapped = (payload: Uint8Array) => listener(decode(def.schema, payload, `${def.name} event`));
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Round-trip time in milliseconds of one Ping/Pong, answered by the peer's channel itself. */
  async ping(timeoutMs = this.limits.defaultCallTimeoutMs): Promise<number> {
    this.#assertOpen();
    const nonce = this.#nextNonce++;
    const start = performance.now();
    const pong = new Promise<number>((resolve, reject) => this.#pings.set(nonce, { resolve, reject }));
    try {
      await this.#enqueue({ case: 'ping', value: { nonce } }, true);
      const rtt = (await withDeadline(pong, timeoutMs, 'Ping')) - start;
      this.emit('rtt', rtt);
      return rtt;
    } finally {
      this.#pings.delete(nonce);
    }
  }

  /** Closes the channel; with an error, tells the peer why first. */
  close(error?: DuetError): void {
    if (this.closed) return;
    if (error && this.transport.open) {
      try {
        this.transport.send(encode(ControlFrameSchema, create(ControlFrameSchema, { msg: { case: 'goodbye', value: { error: errorToWire(error) } } })));
      } catch {
        // The link is already failing; the close below still informs our side.
      }
    }
    this.#shutdown(error ?? null);
    this.transport.close();
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) {
      throw this.#closed ?? new DuetError('UNAVAILABLE', 'The control channel is closed.', { reason: 'PEER_CONNECTION_LOST' });
    }
  }

  #checkSize(bytes: number, what: string): void {
    const max = Math.min(this.limits.maxMessageBytes, this.#peer?.maxMessageBytes ?? Infinity);
    if (bytes > max) {
      throw new DuetError('RESOURCE_EXHAUSTED', `${what} is ${bytes} bytes, over the control channel's ${max}-byte limit (maxMessageBytes).`, {
        reason: 'MESSAGE_TOO_LARGE',
        details: { limit: 'maxMessageBytes', max, actual: bytes },
      });
    }
  }

  /** Queues a frame; resolves when it has been handed to the transport. */
  #enqueue(msg: FrameInit, urgent: boolean): Promise<void> {
    const bytes = encode(ControlFrameSchema, create(ControlFrameSchema, { msg }));
    const pieces: Outgoing[] = fragmentFrame(bytes, this.transport.maxMessageBytes).map((b) => ({ bytes: b }));
    const sent = new Promise<void>((resolve) => (pieces[pieces.length - 1]!.done = resolve));
    (urgent && pieces.length === 1 ? this.#urgent : this.#bulk).push(...pieces);
    void this.#pump();
    return sent;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#closed === undefined && (this.#urgent.length || this.#bulk.length)) {
        while (this.transport.bufferedAmount > HIGH_WATER_BYTES && this.#closed === undefined) await this.transport.drained();
        if (this.#closed !== undefined) break;
        const next = this.#urgent.shift() ?? this.#bulk.shift()!;
        this.transport.send(next.bytes);
        next.done?.();
      }
    } catch (e) {
      this.#shutdown(DuetError.from(e, 'UNAVAILABLE'));
    } finally {
      this.#pumping = false;
    }
  }

  #onMessage(bytes: Uint8Array): void {
    if (this.#closed !== undefined) return;
    let frame: ControlFrame;
    try {
      frame = decode(ControlFrameSchema, bytes, 'control frame');
      if (frame.msg.case === 'fragment') {
        const whole = this.#assembler.add(frame.msg.value);
        if (!whole) return;
        frame = decode(ControlFrameSchema, whole, 'control frame');
        if (frame.msg.case === 'fragment') throw new DuetError('INVALID_ARGUMENT', 'A fragment contained another fragment.', { reason: 'PROTOCOL_VIOLATION' });
      }
    } catch (e) {
      // A peer that sends what we cannot parse is broken or hostile; we cannot answer it
      // sensibly, so close and say why on both sides.
      return this.close(DuetError.from(e, 'INVALID_ARGUMENT'));
    }
    this.#dispatch(frame.msg);
  }

  #dispatch(msg: ControlFrame['msg']): void {
    switch (msg.case) {
      case 'hello':
        if (this.#helloWaiter) this.#helloWaiter.resolve(msg.value);
        else this.#earlyHello = msg.value;
        return;
      case 'goodbye':
        return this.#shutdown(errorFromWire(msg.value.error));
      case 'request':
        return void this.#serve(msg.value.id, msg.value.method, msg.value.payload, msg.value.timeoutMs);
      case 'response': {
        const pending = this.#pending.get(msg.value.id);
        if (!pending) return; // cancelled or timed out already
        this.#pending.delete(msg.value.id);
        const r = msg.value.result;
        if (r.case === 'ok') pending.resolve(r.value);
        else pending.reject(errorFromWire(r.value));
        return;
      }
      case 'cancel':
        this.#incoming.get(msg.value.id)?.abort();
        return;
      case 'event':
        for (const l of this.#eventListeners.get(msg.value.name) ?? []) {
          try {
            l(msg.value.payload);
          } catch {
            // A malformed event or a throwing listener must not take the channel down.
          }
        }
        return;
      case 'ping':
        void this.#enqueue({ case: 'pong', value: { nonce: msg.value.nonce } }, true).catch(() => undefined);
        return;
      case 'pong':
        this.#pings.get(msg.value.nonce)?.resolve(performance.now());
        return;
      default:
        return;
    }
  }

  async #serve(id: number, method: string, payload: Uint8Array, timeoutMs: number): Promise<void> {
    const controller = new AbortController();
    let result: FrameInit;
    try {
      if (this.#incoming.size >= this.limits.maxPendingCalls) {
        throw new DuetError('RESOURCE_EXHAUSTED', `The peer is busy: ${this.#incoming.size} calls in flight (maxPendingCalls).`, {
          reason: 'LIMIT_EXCEEDED',
          details: { limit: 'maxPendingCalls', max: this.limits.maxPendingCalls },
        });
      }
      const handler = this.#handlers.get(method);
      if (!handler) throw new DuetError('UNIMPLEMENTED', `The peer does not offer "${method}".`, { reason: 'UNKNOWN_METHOD', details: { method } });
      this.#incoming.set(id, controller);
      const work = handler(payload, { signal: controller.signal });
      const ok = timeoutMs > 0 ? await withDeadline(work, timeoutMs, `Serving ${method}`, controller.signal) : await work;
      this.#checkSize(ok.byteLength, `The ${method} response`);
      result = { case: 'response', value: { id, result: { case: 'ok', value: ok } } };
    } catch (e) {
      result = { case: 'response', value: { id, result: { case: 'error', value: errorToWire(e) } } };
    } finally {
      this.#incoming.delete(id);
      controller.abort();
    }
    if (this.#closed === undefined) await this.#enqueue(result, false).catch(() => undefined);
  }

  #shutdown(error: DuetError | null): void {
    if (this.#closed !== undefined) return;
    this.#closed = error;
    const reason = error ?? new DuetError('UNAVAILABLE', 'The control channel was closed.', { reason: 'PEER_CONNECTION_LOST' });
    this.#helloWaiter?.reject(reason);
    for (const p of [...this.#pending.values(), ...this.#pings.values()]) p.reject(reason);
    this.#pending.clear();
    this.#pings.clear();
    for (const c of this.#incoming.values()) c.abort();
    // Waiters on unsent frames resolve too; their calls fail through #pending instead.
    for (const o of [...this.#urgent, ...this.#bulk]) o.done?.();
    this.#urgent.length = this.#bulk.length = 0;
    this.emit('close', error ?? undefined);
  }
}
