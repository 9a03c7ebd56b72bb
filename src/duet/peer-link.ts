import { DuetError } from '../errors';
import { Emitter } from '../util/emitter';
import { ControlChannel, type ControlChannelOptions } from '../transport/control-channel';
import { CONNECT_TIMEOUT_MS, PING_INTERVAL_MS } from '../transport/constants';
import { SimplePeerLink, type PeerFactory, type SignalData } from '../transport/simple-peer-link';
import type { Role } from '../wire/gen/duet/v1/common_pb';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'peer-left' | 'closed' | 'failed';

/** What travels, sealed, through the hub between two peers. */
export interface SignalEnvelope {
  /** Connection generation: a new one replaces the old (a reconnect). */
  gen: number;
  signal: SignalData;
}

export interface PeerLinkOptions {
  remoteId: string;
  remoteRole: Role;
  /** The peer already in the session makes the offer; the newcomer answers. */
  initiator: boolean;
  createPeer: PeerFactory;
  rtcConfig: RTCConfiguration;
  control: ControlChannelOptions;
  sendSignal: (envelope: SignalEnvelope) => void;
  /** Called for each new control channel before its handshake, to register handlers. */
  prepare: (channel: ControlChannel) => void;
  connectTimeoutMs?: number;
  pingIntervalMs?: number;
}

interface LinkEvents {
  state: LinkState;
  rtt: number;
  /** A fatal error (e.g. a version mismatch) or a reason for reconnecting. */
  error: DuetError;
}

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 5_000;

/** One peer-to-peer connection to one remote peer, kept alive across drops. */
export class PeerLink extends Emitter<LinkEvents> {
  #state: LinkState = 'connecting';
  #gen = 0;
  #link: SimplePeerLink | undefined;
  #channel: ControlChannel | undefined;
  #inHub = true;
  #retries = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  rtt: number | undefined;

  constructor(private readonly o: PeerLinkOptions) {
    super();
    if (o.initiator) this.#dial();
  }

  get state(): LinkState {
    return this.#state;
  }

  get remoteId(): string {
    return this.o.remoteId;
  }

  get remoteRole(): Role {
    return this.o.remoteRole;
  }

  /** The open, handshaken control channel, if connected. */
  get channel(): ControlChannel | undefined {
    return this.#state === 'connected' ? this.#channel : undefined;
  }

  /** The current channel in any state, so handlers can be added before its handshake. */
  get currentChannel(): ControlChannel | undefined {
    return this.#channel;
  }

  /** The current WebRTC link, for extra DataChannels on the same connection. */
  get transport(): SimplePeerLink | undefined {
    return this.#state === 'connected' ? this.#link : undefined;
  }

  onSignal(env: SignalEnvelope): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    if (!this.o.initiator && env.gen > this.#gen) this.#answer(env.gen);
    if (env.gen === this.#gen) this.#link?.signal(env.signal);
  }

  /** The remote peer's hub socket dropped (it may come back) or it left for good. */
  peerLeftHub(forGood: boolean): void {
    this.#inHub = false;
    if (forGood) {
      this.#teardown();
      this.#setState('peer-left');
    } else if (this.#state !== 'connected') {
      this.#setState('peer-left');
    }
  }

  /** The remote peer is (back) in the hub: reconnect if the direct link is down. */
  peerBack(): void {
    this.#inHub = true;
    if (this.#state === 'connected' || this.#state === 'closed' || this.#state === 'failed') return;
    this.#setState('reconnecting');
    if (this.o.initiator) this.#dial();
  }

  close(): void {
    this.#teardown();
    this.#setState('closed');
  }

  #dial(): void {
    this.#start(this.#gen + 1, true);
  }

  #answer(gen: number): void {
    this.#start(gen, false);
  }

  #start(gen: number, initiator: boolean): void {
    this.#teardown();
    this.#gen = gen;
    const link = new SimplePeerLink(this.o.createPeer({ initiator, config: this.o.rtcConfig }));
    const channel = new ControlChannel(link, this.o.control);
    this.o.prepare(channel);
    this.#link = link;
    this.#channel = channel;
    link.on('signal', (signal) => this.o.sendSignal({ gen, signal }));
    link.on('connect', () => void this.#handshake(gen, channel));
    // Only the current channel's close matters; #teardown detaches it before closing it.
    channel.on('close', (error) => {
      if (this.#channel === channel) this.#lost(gen, error);
    });
    channel.on('rtt', (rtt) => {
      this.rtt = rtt;
      this.emit('rtt', rtt);
    });
    this.#after(this.o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, () => {
      if (this.#gen === gen && this.#state !== 'connected') {
        this.#lost(gen, new DuetError('DEADLINE_EXCEEDED', 'The direct connection to the other person did not come up in time.', { reason: 'CONNECT_TIMEOUT' }));
      }
    });
  }

  async #handshake(gen: number, channel: ControlChannel): Promise<void> {
    try {
      await channel.start();
    } catch {
      return; // the channel closed itself with the reason, which reaches #lost
    }
    if (this.#gen !== gen) return;
    this.#retries = 0;
    this.#setState('connected');
    void channel.ping().catch(() => undefined);
    const tick = () =>
      this.#after(this.o.pingIntervalMs ?? PING_INTERVAL_MS, () => {
        if (this.#gen !== gen || channel.closed) return;
        void channel.ping().catch(() => undefined);
        tick();
      });
    tick();
  }

  #lost(gen: number, error: DuetError | undefined): void {
    if (gen !== this.#gen || this.#state === 'closed' || this.#state === 'failed') return;
    if (error?.reason === 'VERSION_MISMATCH') {
      this.#teardown();
      this.emit('error', error);
      return this.#setState('failed');
    }
    if (error) this.emit('error', error);
    this.#teardown();
    if (!this.#inHub) return this.#setState('peer-left');
    this.#setState('reconnecting');
    if (this.o.initiator) {
      const wait = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** this.#retries++);
      this.#after(wait, () => {
        if (this.#gen === gen && this.#state === 'reconnecting' && this.#inHub) this.#dial();
      });
    }
  }

  #teardown(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const channel = this.#channel;
    const link = this.#link;
    this.#channel = this.#link = undefined;
    channel?.close();
    link?.close();
  }

  #after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #setState(state: LinkState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }
}
