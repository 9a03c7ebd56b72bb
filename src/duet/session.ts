import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { delay } from '../util/timers';
import { ControlChannel } from '../transport/control-channel';
import type { ControlLimits } from '../transport/constants';
import type { CallOptions, EventDef, Handler, HandlerContext, MethodDef } from '../transport/rpc-types';
import { openRelay, sealRelay } from '../transport/relay-seal';
import { SignalingClient } from '../transport/signaling-client';
import type { WebSocketConstructor } from '../transport/websocket';
import type { PeerFactory, SimplePeerLink } from '../transport/simple-peer-link';
import type { FlightClient } from '../transport/flight/types';
import type { CodecRegistry } from '../codecs';
import { Role } from '../wire/gen/duet/v1/common_pb';
import { LeaveReason, type PeerInfo, type SessionJoined } from '../wire/gen/duet/v1/signal_pb';
import { deriveCodeSecrets, generateCode, normalizeCode, type CodeSecrets } from './code';
import { PeerLink, type LinkState, type SignalEnvelope } from './peer-link';

/** What the runtime provides: the entry point (browser app or Node API) picks these. */
/** A handler that is told the calling peer's id. */
export type PeerHandler<Req extends DescMessage, Res extends DescMessage> = (
  request: MessageShape<Req>,
  ctx: HandlerContext,
  peerId: string,
) => Promise<MessageInitShape<Res>> | MessageInitShape<Res>;

export interface SessionRuntime {
  WebSocket: WebSocketConstructor;
  createPeer: PeerFactory;
  /** A Flight client for the hub: gRPC in Node, the HTTP bridge in browsers. */
  createFlightClient?: (hub: { hubUrl: string; flightPort: number | undefined }) => FlightClient;
  /** This runtime's codecs (xz needs a runtime backend): one fresh registry per call, since lossy codecs keep per-stream state. */
  createCodecs?: () => CodecRegistry;
  fetch?: typeof fetch;
}

export interface SessionOptions {
  /** The hub's base URL, e.g. http://localhost:8080. */
  hubUrl: string;
  runtime: SessionRuntime;
  /** ICE servers; fetched from the hub's /config when absent. */
  iceServers?: RTCIceServer[];
  capabilities?: string[];
  controlLimits?: Partial<ControlLimits>;
  connectTimeoutMs?: number;
  pingIntervalMs?: number;
  /** Only tests set these: a protocol version to play an old peer, a faster KDF. */
  protocolVersion?: string;
  kdfIterations?: number;
}

export interface CreateOptions extends SessionOptions {
  /** 2 for a Duet (the default); more for multi-party work. */
  maxPeers?: number;
  role?: Role.OWNER | Role.PEER;
}

export interface JoinOptions extends SessionOptions {
  code: string;
  role?: Role.SCIENTIST | Role.PEER;
}

/**
 * waiting: alone in the session; connecting: a peer is here, the direct link is coming up;
 * connected: a control channel is open; reconnecting: the direct link dropped and is being
 * rebuilt; peer-left: the other person went away; closed: we left; failed: cannot go on.
 */
export type SessionState = 'waiting' | 'connecting' | 'connected' | 'reconnecting' | 'peer-left' | 'closed' | 'failed';

export interface PeerView {
  id: string;
  role: Role;
  state: LinkState;
  rtt: number | undefined;
}

interface SessionEvents {
  state: SessionState;
  peers: PeerView[];
  rtt: number;
  error: DuetError;
  /** A new control channel to a peer is open (also after each reconnect). */
  channel: { peerId: string; channel: ControlChannel; link: SimplePeerLink };
}

const HUB_RETRY_MS = 500;

interface HubConfig {
  rtc: RTCConfiguration;
  /** The hub's Flight gRPC port, for Node peers; pages use the bridge on the hub's own port. */
  flightPort: number | undefined;
}

function signalUrl(hubUrl: string): string {
  const u = new URL('/signal', hubUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export class Session extends Emitter<SessionEvents> {
  #state: SessionState = 'waiting';
  #links = new Map<string, PeerLink>();
  #hub: SignalingClient;
  #joined: SessionJoined;
  #everConnected = false;
  #closing = false;
  #handlers: ((channel: ControlChannel) => void)[] = [];
  #flight: Promise<FlightClient> | undefined;
  readonly #capabilities: Set<string>;

  private constructor(
    readonly code: string,
    readonly role: Role,
    private readonly secrets: CodeSecrets,
    private readonly options: SessionOptions,
    private readonly hubConfig: HubConfig,
    hub: SignalingClient,
    joined: SessionJoined,
  ) {
    super();
    this.#capabilities = new Set(options.capabilities ?? []);
    this.#hub = hub;
    this.#joined = joined;
    this.#attachHub(hub);
    // Peers already here when we arrive will call us; we answer.
    for (const p of joined.peers) this.#link(p, false);
    this.#recompute();
  }

  /** The owner's side: makes a code, registers the session at the hub. */
  static async create(options: CreateOptions): Promise<Session> {
    const role = options.role ?? Role.OWNER;
    const [hub, config] = await Promise.all([Session.#connectHub(options), Session.#hubConfig(options)]);
    try {
      for (let attempt = 0; ; attempt++) {
        const code = generateCode();
        const secrets = await deriveCodeSecrets(code, options.kdfIterations);
        try {
          const joined = await hub.create(secrets.lookup, role, options.maxPeers ?? 0);
          return new Session(code, role, secrets, options, config, hub, joined);
        } catch (e) {
          // A fresh 50-bit code colliding is rare; try another a few times.
          if (!(e instanceof DuetError && e.reason === 'CODE_TAKEN') || attempt >= 3) throw e;
        }
      }
    } catch (e) {
      hub.close();
      throw e;
    }
  }

  /** The scientist's side: joins with the code the owner read out. */
  static async join(options: JoinOptions): Promise<Session> {
    const code = normalizeCode(options.code);
    const role = options.role ?? Role.SCIENTIST;
    const [secrets, hub, config] = await Promise.all([
      deriveCodeSecrets(code, options.kdfIterations),
      Session.#connectHub(options),
      Session.#hubConfig(options),
    ]);
    try {
      const joined = await hub.join(secrets.lookup, role);
      return new Session(code, role, secrets, options, config, hub, joined);
    } catch (e) {
      hub.close();
      throw e;
    }
  }

  static #connectHub(options: SessionOptions): Promise<SignalingClient> {
    const Ws = options.runtime.WebSocket;
    return SignalingClient.connect(signalUrl(options.hubUrl), (url) => new Ws(url), options.protocolVersion);
  }

  static async #hubConfig(options: SessionOptions): Promise<HubConfig> {
    const get = options.runtime.fetch ?? globalThis.fetch;
    try {
      const res = await get(new URL('/config', options.hubUrl));
      const body = (await res.json()) as { iceServers?: RTCIceServer[]; flightPort?: number | null };
      const iceServers = options.iceServers ?? (Array.isArray(body.iceServers) ? body.iceServers : []);
      return { rtc: { iceServers }, flightPort: typeof body.flightPort === 'number' ? body.flightPort : undefined };
    } catch (cause) {
      throw new DuetError('UNAVAILABLE', `Cannot read the hub's settings at ${options.hubUrl}/config. Is the hub running?`, { reason: 'HUB_UNREACHABLE', cause });
    }
  }

  get state(): SessionState {
    return this.#state;
  }

  get peerId(): string {
    return this.#joined.peerId;
  }

  /** The hub's Flight service, handshaken with our credential; made once, on first use. */
  flightClient(): Promise<FlightClient> {
    this.#flight ??= (async () => {
      const make = this.options.runtime.createFlightClient;
      if (!make) throw new DuetError('UNIMPLEMENTED', 'This runtime has no Flight client.', { reason: 'NO_PATH' });
      const client = make({ hubUrl: this.options.hubUrl, flightPort: this.hubConfig.flightPort });
      await client.handshake(this.#joined.flightCredential);
      return client;
    })();
    this.#flight.catch(() => (this.#flight = undefined)); // a failed start may be retried
    return this.#flight;
  }

  /** The runtime this session was made with (its WebSocket, WebRTC, Flight client and codecs). */
  get runtime(): SessionRuntime {
    return this.options.runtime;
  }

  /** What this side announces in PeerHello.capabilities. */
  get capabilities(): string[] {
    return [...this.#capabilities];
  }

  /**
   * Adds capability strings (e.g. `codec:xz`) to every handshake from now on. Helpers that are
   * built after the session (the negotiator) call this; handshakes read the list when they
   * happen, and a channel already open keeps what it announced until it reconnects.
   */
  advertise(capabilities: readonly string[]): void {
    for (const c of capabilities) this.#capabilities.add(c);
  }

  get maxPeers(): number {
    return this.#joined.maxPeers;
  }

  get peers(): PeerView[] {
    return [...this.#links.values()].map((l) => ({ id: l.remoteId, role: l.remoteRole, state: l.state, rtt: l.rtt }));
  }

  /** The control channel to a peer: the only connected one in a Duet, or the one named. */
  channel(peerId?: string): ControlChannel {
    const links = peerId ? [this.#links.get(peerId)] : [...this.#links.values()];
    const channel = links.find((l) => l?.channel)?.channel;
    if (!channel) throw new DuetError('UNAVAILABLE', 'Not connected to the other person right now.', { reason: 'NOT_CONNECTED' });
    return channel;
  }

  /** Serves a method on every control channel, now and after reconnects. */
  handle<Req extends DescMessage, Res extends DescMessage>(def: MethodDef<Req, Res>, handler: Handler<Req, Res>): void {
    this.#prepare((channel) => channel.handle(def, handler));
  }

  /** Like handle(), and the handler learns which peer called (the data owner keeps state per scientist). */
  handleFrom<Req extends DescMessage, Res extends DescMessage>(def: MethodDef<Req, Res>, handler: PeerHandler<Req, Res>): void {
    this.#prepare((channel) => channel.handle(def, (request, ctx) => handler(request, ctx, this.#peerOf(channel))));
  }

  onEvent<E extends DescMessage>(def: EventDef<E>, listener: (message: MessageShape<E>, peerId: string) => void): void {
    this.#prepare((channel) => channel.onEvent(def, (m) => listener(m, this.#peerOf(channel))));
  }

  call<Req extends DescMessage, Res extends DescMessage>(
    def: MethodDef<Req, Res>,
    request: MessageInitShape<Req>,
    options?: CallOptions & { peerId?: string },
  ): Promise<MessageShape<Res>> {
    return this.channel(options?.peerId).call(def, request, options);
  }

  /** Round-trip time to the peer, in milliseconds. */
  ping(peerId?: string): Promise<number> {
    return this.channel(peerId).ping();
  }

  /** Resolves when a control channel is open, or rejects on failure or timeout. */
  connected(timeoutMs = 30_000): Promise<void> {
    if (this.#state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new DuetError('DEADLINE_EXCEEDED', `Not connected within ${timeoutMs} ms (state: ${this.#state}).`)), timeoutMs);
      const offState = this.on('state', (s) => {
        if (s === 'connected') done();
        else if (s === 'failed' || s === 'closed') done(this.#lastError ?? new DuetError('UNAVAILABLE', `The session is ${s}.`));
      });
      const done = (error?: DuetError) => {
        clearTimeout(timer);
        offState();
        if (error) reject(error);
        else resolve();
      };
    });
  }

  #lastError: DuetError | undefined;

  /** Leaves the session and closes every connection. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    for (const l of this.#links.values()) l.close();
    void this.#flight?.then((c) => c.close(), () => undefined);
    this.#hub.leave();
    this.#hub.close();
    this.#setState('closed');
  }

  #prepare(apply: (channel: ControlChannel) => void): void {
    this.#handlers.push(apply);
    for (const l of this.#links.values()) if (l.currentChannel) apply(l.currentChannel);
  }

  #peerOf(channel: ControlChannel): string {
    for (const l of this.#links.values()) if (l.currentChannel === channel) return l.remoteId;
    return '';
  }

  #attachHub(hub: SignalingClient): void {
    hub.on('peerJoined', (p) => {
      const existing = this.#links.get(p.peerId);
      if (existing) existing.peerBack();
      else this.#link(p, true);
      this.#recompute();
    });
    hub.on('peerLeft', ({ peerId, reason }) => {
      const link = this.#links.get(peerId);
      if (!link) return;
      const forGood = reason !== LeaveReason.DROPPED;
      link.peerLeftHub(forGood);
      if (forGood) {
        link.close();
        this.#links.delete(peerId);
      }
      this.#recompute();
    });
    hub.on('relayed', ({ from, sealed }) => void this.#onRelayed(from, sealed));
    hub.on('error', (e) => this.#fail(e, false));
    hub.on('close', (e) => void this.#resumeHub(e));
  }

  async #onRelayed(from: string, sealed: Uint8Array): Promise<void> {
    try {
      const plain = await openRelay(this.secrets.key, from, this.peerId, sealed);
      const env = JSON.parse(new TextDecoder().decode(plain)) as SignalEnvelope;
      if (typeof env.gen !== 'number' || typeof env.signal !== 'object' || env.signal === null) {
        throw new DuetError('INVALID_ARGUMENT', 'A relayed signal had the wrong shape.', { reason: 'MALFORMED_MESSAGE' });
      }
      // The hub announces every peer before relaying for it, so an unknown sender is stale: drop it.
      this.#links.get(from)?.onSignal(env);
    } catch (e) {
      this.#fail(DuetError.from(e), false);
    }
  }

  #link(p: PeerInfo, initiator: boolean): PeerLink {
    const capabilities = () => this.capabilities;
    const link = new PeerLink({
      remoteId: p.peerId,
      remoteRole: p.role,
      initiator,
      createPeer: this.options.runtime.createPeer,
      rtcConfig: this.hubConfig.rtc,
      control: {
        role: this.role,
        // Read at each handshake, so capabilities advertised after the session was made still go out.
        get capabilities() {
          return capabilities();
        },
        limits: this.options.controlLimits ?? {},
        ...(this.options.protocolVersion ? { protocolVersion: this.options.protocolVersion } : {}),
      },
      sendSignal: (env) => void this.#sendSignal(p.peerId, env),
      prepare: (channel) => {
        for (const apply of this.#handlers) apply(channel);
      },
      ...(this.options.connectTimeoutMs ? { connectTimeoutMs: this.options.connectTimeoutMs } : {}),
      ...(this.options.pingIntervalMs ? { pingIntervalMs: this.options.pingIntervalMs } : {}),
    });
    this.#links.set(p.peerId, link);
    link.on('state', (s) => {
      if (s === 'connected' && link.channel && link.transport) this.emit('channel', { peerId: link.remoteId, channel: link.channel, link: link.transport });
      this.#recompute();
    });
    link.on('rtt', (rtt) => {
      this.emit('rtt', rtt);
      this.emit('peers', this.peers);
    });
    link.on('error', (e) => this.#fail(e, link.state === 'failed'));
    return link;
  }

  async #sendSignal(to: string, env: SignalEnvelope): Promise<void> {
    try {
      const sealed = await sealRelay(this.secrets.key, this.peerId, to, new TextEncoder().encode(JSON.stringify(env)));
      if (this.#hub.open) this.#hub.relay(to, sealed);
    } catch (e) {
      this.#fail(DuetError.from(e), false);
    }
  }

  /** The hub socket dropped: take our slot back within the hub's grace period. */
  async #resumeHub(error: DuetError): Promise<void> {
    if (this.#closing) return;
    const graceMs = this.#hub.limits?.resumeGraceMs ?? 30_000;
    const until = Date.now() + graceMs;
    this.emit('error', error);
    while (!this.#closing && Date.now() < until) {
      await delay(HUB_RETRY_MS);
      try {
        const hub = await Session.#connectHub(this.options);
        if (this.#closing) return hub.close();
        this.#joined = await hub.resume(this.secrets.lookup, this.#joined.peerId, this.#joined.resumeToken);
        this.#hub = hub;
        this.#attachHub(hub);
        for (const p of this.#joined.peers) this.#links.get(p.peerId)?.peerBack();
        return;
      } catch (e) {
        const err = DuetError.from(e);
        if (err.code !== 'UNAVAILABLE' && err.code !== 'DEADLINE_EXCEEDED') return this.#fail(err, this.#state !== 'connected');
      }
    }
    this.#fail(new DuetError('UNAVAILABLE', 'Lost the hub and could not get back in time.', { reason: 'HUB_DISCONNECTED' }), this.#state !== 'connected');
  }

  #fail(error: DuetError, fatal: boolean): void {
    this.#lastError = error;
    this.emit('error', error);
    if (fatal) this.#setState('failed');
  }

  #recompute(): void {
    if (this.#closing || this.#state === 'failed') return;
    const states = [...this.#links.values()].map((l) => l.state);
    let next: SessionState;
    if (states.includes('connected')) next = 'connected';
    else if (states.includes('reconnecting')) next = 'reconnecting';
    else if (states.includes('connecting')) next = 'connecting';
    else if (states.includes('failed')) next = 'failed';
    else if (states.includes('peer-left') || this.#everConnected) next = 'peer-left';
    else next = 'waiting';
    if (next === 'connected') this.#everConnected = true;
    this.emit('peers', this.peers);
    this.#setState(next);
  }

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }
}
