import { DEFAULT_BATCH_BYTES } from '../../arrow';
import { CodecRegistry, createNoneCodec } from '../../codecs';
import { DuetError } from '../../errors';
import { CodecCostModel, LINK_DRIFT_FACTOR, LINK_DRIFT_STREAK, measureCodecCosts, negotiate, observeTransfer, PayloadMemory, probedPath, syntheticSample, type CodecCost, type Negotiated, type PathEstimate, type PayloadSignature } from '../../negotiator';
import { tensorBytes, type DType } from '../../tensor';
import type { ControlChannel } from '../../transport/control-channel';
import { defineEvent } from '../../transport/rpc-types';
import type { PathName } from '../../transport/paths/types';
import { Emitter } from '../../util/emitter';
import { Role } from '../../wire/gen/duet/v1/common_pb';
import { NegotiationPreferencesSchema, TransferReportSchema } from '../../wire/gen/duet/v1/negotiation_pb';
import type { Session } from '../session';
import type { ChooseContext, ChoosePath, PathChoice, Pins, TensorShape, TransferAnnounced, Transfers } from '../transfers';
import { codecCapabilities, peerDecodes } from './capabilities';
import { COST_WARMUP_MS, COST_WARMUP_RUNS, MAX_DRIFT_STREAK, MAX_ENCODES_WATCHED, REPROBE_MAX_SHARE, LINK_PRIOR_BYTES_PER_SECOND, LINK_PRIOR_RTT_MS, NEGOTIATOR_COST_RUNS, PRUNE_SLACK, NEGOTIATOR_COST_SAMPLE_BYTES, NEGOTIATOR_LOSSY_COST_SAMPLE_BYTES, PROBE_TRANSFER_PREFIX, RELAY_BATCH_LINK_MS, RELAY_MIN_BATCH_BYTES, SAMPLE_BUDGET_SHARE } from './constants';
import { effectiveConsent, mergePins, preferencesFromWire, preferencesToWire, type LossyConsent, type Preferences } from './preferences';
import { probeLink, probeOver, serveProbes, type ProbeResult } from './probe';
import { pinnedChoice } from './pinned';
import { AwaitedReports } from './reports';

// The negotiator wired to a session: it is Transfers' chooser. Per connection it knows what
// the peer decodes (PeerHello capabilities), the peer's standing pins and lossy consent (a
// NegotiationPreferences event), and an estimate per path (a probe after connect, then the
// receiver's report of every real transfer, folded in by EWMA; a path re-probes on drift).
// Codec speeds are measured per dtype on first need; each payload's own sample refines them.

export const PreferencesEvent = defineEvent('duet.negotiation.preferences', NegotiationPreferencesSchema);
export const TransferReportEvent = defineEvent('duet.negotiation.report', TransferReportSchema);

export interface NegotiatorOptions {
  /** The codecs this side encodes and decodes; without them only "none" is possible. */
  codecs?: CodecRegistry;
  /** This side's standing pins and its consent to lossy codecs for what it receives; sent to the peer. */
  preferences?: Preferences;
  /** For what this side sends: the lossy codecs it allows at all (the data owner's policy). Default: none. */
  lossyPolicy?: LossyConsent;
  /** When to probe the paths: right after connecting (default for owners), or before the first send (default otherwise). */
  probe?: 'connect' | 'first-send';
  /** Replaces the start-up measurement of codec speeds for one dtype (tests count calls here). */
  measureCosts?: (registry: CodecRegistry, dtype: DType) => Promise<CodecCostModel>;
  /** Replaces the probe of each path (tests inject figures here). */
  probePath?: (path: PathName, peerId: string) => Promise<ProbeResult>;
}

/** A pick, as both sides see it (out: this side sends; in: the peer sends). */
export type Pick = TransferAnnounced;

export interface NegotiatorEvents {
  pick: Pick;
  /** A path's estimate changed: from a probe (after connect, before the first send, or on drift) or a receiver's report. */
  estimate: { peerId: string; estimate: PathEstimate; source: 'probe' | 'report' };
  /** The full decision for a transfer this side sends: every candidate, ranked. */
  decision: { transferId: string; peerId: string; decision: Negotiated };
  /** Something went wrong that did not stop a transfer (a failed probe, a malformed preference). */
  error: DuetError;
}

interface PeerState {
  readonly channel: ControlChannel;
  /** Codec ids the peer decodes. */
  readonly decodes: string[];
  readonly links: Partial<Record<PathName, PathEstimate>>;
  probing: Promise<void> | undefined;
  /** Paths whose estimate drifted: probed again before the next transfer that needs an estimate. */
  readonly stale: Set<PathName>;
  /** Per path: the drift streak that triggers a re-probe (grows while re-probes confirm the last probe). */
  readonly driftStreak: Partial<Record<PathName, number>>;
  /** Per path: the last probe's throughput, to tell a confirming re-probe from a real change. */
  readonly probedBps: Partial<Record<PathName, number>>;
  /** Per path: how long its last probe took, to weigh a re-probe against the transfer it would inform. */
  readonly probeMs: Partial<Record<PathName, number>>;
  readonly awaiting: AwaitedReports;
}

const isProbe = (transferId: string) => transferId.startsWith(PROBE_TRANSFER_PREFIX);

export class Negotiator extends Emitter<NegotiatorEvents> {
  readonly #session: Session;
  readonly #registry: CodecRegistry;
  readonly #costs = new CodecCostModel();
  /** What sampling learnt per kind of payload, so a run of similar tensors is sampled once in a while, not each time. */
  readonly #memory = new PayloadMemory();
  /** Transfers decided from the memory's kind of payload, until their encode time is known. */
  readonly #encoding = new Map<string, PayloadSignature>();
  readonly #measured = new Map<DType, Promise<void>>();
  readonly #peers = new Map<string, PeerState>();
  readonly #picks = new Map<string, Pick>();
  /** Kept across reconnects: the peer sends them again on each connect anyway. */
  readonly #remote = new Map<string, Preferences>();
  #transfers: Transfers | undefined;
  #local: Preferences;
  readonly #policy: LossyConsent;
  readonly #probeWhen: 'connect' | 'first-send';
  readonly #probePath: ((path: PathName, peerId: string) => Promise<ProbeResult>) | undefined;
  readonly #measureCosts: (registry: CodecRegistry, dtype: DType) => Promise<CodecCostModel>;

  constructor(session: Session, options: NegotiatorOptions = {}) {
    super();
    this.#session = session;
    this.#registry = options.codecs ?? new CodecRegistry().register(createNoneCodec());
    this.#local = options.preferences ?? {};
    this.#policy = options.lossyPolicy ?? false;
    this.#probeWhen = options.probe ?? (session.role === Role.OWNER ? 'connect' : 'first-send');
    this.#probePath = options.probePath;
    this.#measureCosts = options.measureCosts ?? measureWarm;
    session.advertise(codecCapabilities(options.codecs));
  }

  /** Connects the negotiator to the Transfers whose chooser it is (call right after constructing both). */
  attach(transfers: Transfers): void {
    if (this.#transfers) throw new DuetError('FAILED_PRECONDITION', 'The negotiator is already attached to a Transfers.');
    this.#transfers = transfers;
    serveProbes(this.#session, transfers);
    this.#session.onEvent(PreferencesEvent, (m, peerId) => {
      try {
        this.#remote.set(peerId, preferencesFromWire(m));
      } catch (e) {
        this.emit('error', DuetError.from(e));
      }
    });
    this.#session.onEvent(TransferReportEvent, (m, peerId) => this.#onReport(peerId, m.transferId, Number(m.wireBytes), m.ms));
    // Subscribed after Transfers (constructed first) so the path halves exist when probes start.
    this.#session.on('channel', ({ peerId, channel }) => this.#connected(peerId, channel));
    transfers.on('announced', (a) => {
      if (isProbe(a.transferId)) return;
      const signature = this.#encoding.get(a.transferId);
      this.#encoding.delete(a.transferId);
      if (signature && a.encodeMs !== undefined && a.encodeMs > 0) this.#memory.observeEncode(signature, a.codec, a.bytes / (a.encodeMs / 1000));
      this.#picks.set(a.peerId, a);
      this.emit('pick', a);
    });
    transfers.on('arrived', (a) => {
      if (isProbe(a.transferId)) return;
      const channel = this.#peers.get(a.peerId)?.channel;
      // After the tensor is handed over, not before: the report is for the sender's next choice.
      setTimeout(() => void channel?.emitEvent(TransferReportEvent, { transferId: a.transferId, wireBytes: BigInt(a.wireBytes), ms: a.ms }).catch(() => undefined), 0);
    });
  }

  /** The chooser to give Transfers. */
  readonly choose: ChoosePath = (info, available, pins, ctx) => this.#choose(info, available, pins, ctx);

  /** Changes this side's standing pins or lossy consent, and tells the connected peer. */
  setPreferences(preferences: Preferences): void {
    this.#local = preferences;
    for (const peer of this.#peers.values()) this.#sendPreferences(peer.channel);
  }

  get preferences(): Preferences {
    return this.#local;
  }

  /** What the peer asked for (its pins and lossy consent), as last received. */
  remotePreferences(peerId?: string): Preferences {
    const peer = this.#peer(peerId);
    return (peer && this.#remote.get(this.#peerIdOf(peer))) ?? {};
  }

  /** The last pick on the connection, in either direction. */
  currentPick(peerId?: string): Pick | undefined {
    const id = peerId ?? [...this.#peers.keys()].at(-1);
    return id === undefined ? undefined : this.#picks.get(id);
  }

  /** Current path estimates for the peer. */
  estimates(peerId?: string): Partial<Record<PathName, PathEstimate>> {
    return { ...this.#peer(peerId)?.links };
  }

  /** Codec speeds measured so far, as `codec/dtype` keys (measured per dtype on first need). */
  costs(): [string, CodecCost][] {
    return this.#costs.entries();
  }

  /** Resolves when the paths of the connection have been probed (at once if they were). */
  async probed(peerId?: string): Promise<void> {
    const peer = this.#peer(peerId);
    if (peer) await this.#ensureProbed(peer, this.#peerIdOf(peer));
  }

  #peer(peerId?: string): PeerState | undefined {
    return peerId !== undefined ? this.#peers.get(peerId) : [...this.#peers.values()].find((p) => !p.channel.closed);
  }

  #peerIdOf(peer: PeerState): string {
    for (const [id, p] of this.#peers) if (p === peer) return id;
    return '';
  }

  #connected(peerId: string, channel: ControlChannel): void {
    const peer: PeerState = {
      channel,
      decodes: peerDecodes(channel.peer.capabilities),
      links: {},
      probing: undefined,
      stale: new Set(),
      driftStreak: {},
      probedBps: {},
      probeMs: {},
      awaiting: new AwaitedReports(),
    };
    this.#peers.set(peerId, peer);
    this.#sendPreferences(channel);
    if (this.#probeWhen === 'connect') void this.#ensureProbed(peer, peerId);
  }

  #sendPreferences(channel: ControlChannel): void {
    if (channel.closed) return;
    void channel.emitEvent(PreferencesEvent, preferencesToWire(this.#local)).catch(() => undefined);
  }

  /**
   * The connection's probe, once; then any drifted path again. Probes run only here, so never
   * beside this side's own transfers: a probe that shares the link with a transfer measures the
   * contention and slows the transfer.
   */
  #ensureProbed(peer: PeerState, peerId: string, bytes?: number): Promise<void> {
    peer.probing ??= (async () => {
      if (peer.channel.closed || !this.#transfers) return;
      for (const path of this.#transfers.paths(peerId)) await this.#probe(peer, peerId, path);
    })().catch((e: unknown) => this.emit('error', DuetError.from(e)));
    // A re-probe dearer than this transfer could gain waits (stays stale) for a larger one.
    const stale = [...peer.stale].filter((p) => bytes === undefined || !deferReprobe(peer.probeMs[p], peer.links[p] ?? prior(p), bytes));
    if (stale.length === 0) return peer.probing;
    for (const p of stale) peer.stale.delete(p);
    peer.probing = peer.probing.then(async () => {
      for (const path of stale) await this.#probe(peer, peerId, path);
    });
    return peer.probing;
  }

  async #probe(peer: PeerState, peerId: string, path: PathName): Promise<void> {
    const started = performance.now();
    try {
      const r = this.#probePath ? await this.#probePath(path, peerId) : await probeLink(probeOver(this.#transfers!, peer.channel, peerId, path));
      const estimate = probedPath(path, r.rttMs, r.bytesPerSecond);
      peer.driftStreak[path] = nextDriftStreak(peer.driftStreak[path], peer.probedBps[path], r.bytesPerSecond);
      peer.probedBps[path] = r.bytesPerSecond;
      peer.probeMs[path] = performance.now() - started;
      peer.links[path] = estimate;
      this.emit('estimate', { peerId, estimate, source: 'probe' });
    } catch (e) {
      // The path keeps its prior (or its last estimate); transfers still work, only less well chosen.
      this.emit('error', new DuetError('UNAVAILABLE', `Could not probe the ${path} path: ${DuetError.from(e).message}`, { cause: e }));
    }
  }

  #onReport(peerId: string, transferId: string, wireBytes: number, ms: number): void {
    const peer = this.#peers.get(peerId);
    const path = peer?.awaiting.take(transferId);
    if (!peer || path === undefined) return; // not ours, or already forgotten
    if (!(Number.isFinite(wireBytes) && wireBytes >= 0 && Number.isFinite(ms) && ms > 0)) return; // a broken report teaches nothing
    const estimate = observeTransfer(peer.links[path] ?? prior(path), { bytes: wireBytes, ms }, { driftStreak: peer.driftStreak[path] ?? LINK_DRIFT_STREAK });
    peer.links[path] = estimate;
    this.emit('estimate', { peerId, estimate, source: 'report' });
    if (estimate.drift) peer.stale.add(path);
  }

  #costsFor(dtype: DType): Promise<void> {
    let measured = this.#measured.get(dtype);
    if (!measured) {
      measured = this.#measureCosts(this.#registry, dtype).then(
        (m) => {
          for (const [key, cost] of m.entries()) {
            const [id, d] = key.split('/') as [string, DType];
            this.#costs.set(id, d, cost);
          }
        },
        // Without speeds no codec is a candidate, so transfers of this dtype go raw: slower, never wrong.
        (e: unknown) => this.emit('error', DuetError.from(e)),
      );
      this.#measured.set(dtype, measured);
    }
    return measured;
  }

  /**
   * Keeps the best speed seen per codec and dtype. These figures decide what is worth sampling,
   * so they must not be pessimistic: xz on one payload's noise (~2 MB/s) must not keep it from
   * being sampled on the next smooth one (~25 MB/s). Ranking always uses the payload's own sample.
   */
  #learn(dtype: DType, sampled: Readonly<Record<string, CodecCost>>): void {
    for (const [id, cost] of Object.entries(sampled)) {
      const known = this.#costs.get(id, dtype);
      this.#costs.set(id, dtype, known ? { encodeBps: Math.max(known.encodeBps, cost.encodeBps), decodeBps: Math.max(known.decodeBps, cost.decodeBps) } : cost);
    }
  }

  async #choose(info: TensorShape, available: readonly PathName[], pins: Pins, ctx: ChooseContext): Promise<PathChoice> {
    // Probes are fully pinned by their sender; deciding anything for them would wait on the probe itself.
    if (isProbe(ctx.transferId)) return { path: pins.path ?? available[0]!, codec: 'none', reason: 'link probe' };
    const peer = this.#peers.get(ctx.peerId);
    if (!peer) throw new DuetError('UNAVAILABLE', 'Not connected to the other person right now.', { reason: 'NOT_CONNECTED' });
    const remote = this.#remote.get(ctx.peerId) ?? {};
    const merged = mergePins(pins, this.#local.pin, remote.pin);
    const consent = effectiveConsent(remote.lossyConsent ?? false, this.#policy);
    const dtype = ctx.tensor.dtype;
    let choice: PathChoice;
    if (merged.pin.codec !== undefined && merged.pin.path !== undefined) {
      const { codec, path } = merged.pin;
      choice = pinnedChoice({ codec, path, registry: this.#registry, peerDecodes: peer.decodes, available, dtype, gradient: ctx.gradient, consent });
    } else {
      await Promise.all([this.#ensureProbed(peer, ctx.peerId, info.byteLength), this.#costsFor(dtype)]);
      const ids = this.#registry.ids();
      const decision = await negotiate({
        registry: this.#registry,
        local: { encode: ids, decode: ids, paths: available },
        remote: { encode: [], decode: peer.decodes, paths: available },
        costs: this.#costs,
        links: Object.fromEntries(available.map((p) => [p, peer.links[p] ?? prior(p)])),
        dtype,
        bytes: tensorBytes(ctx.tensor),
        gradient: ctx.gradient,
        lossyConsent: consent,
        pin: merged.pin,
        sampleCosts: true,
        sampleBudgetShare: SAMPLE_BUDGET_SHARE,
        pruneSlack: PRUNE_SLACK,
        memory: this.#memory,
        ...(ctx.stream !== undefined ? { stream: ctx.stream } : {}),
      });
      this.#learn(dtype, decision.sampledCosts);
      if (decision.signature) {
        this.#encoding.set(ctx.transferId, decision.signature);
        // A transfer that failed before its announcement never reports; keep the map small.
        for (const id of this.#encoding.keys()) {
          if (this.#encoding.size <= MAX_ENCODES_WATCHED) break;
          this.#encoding.delete(id);
        }
      }
      this.emit('decision', { transferId: ctx.transferId, peerId: ctx.peerId, decision });
      choice = { path: decision.path, codec: decision.codec, reason: decision.reason };
    }
    peer.awaiting.add(ctx.transferId, choice.path);
    // Only a measured estimate sizes batches: the prior (10 Mbit/s) on a fast link would cut a
    // tensor into 32 KiB batches and cost far more than it saves.
    const measured = peer.links[choice.path];
    if (choice.path === 'arrow-flight' && measured) choice = { ...choice, batchBytes: relayBatchBytes(measured.bytesPerSecond) };
    return merged.overridden.length ? { ...choice, reason: `${choice.reason}; ${merged.overridden.join('; ')}` } : choice;
  }
}

/** Start-up speeds for one dtype, after warming each codec up (COST_WARMUP_RUNS). */
async function measureWarm(registry: CodecRegistry, dtype: DType): Promise<CodecCostModel> {
  const sample = syntheticSample(dtype, NEGOTIATOR_COST_SAMPLE_BYTES);
  for (const codec of registry.list()) {
    if (!codec.accepts(dtype)) continue;
    const started = performance.now();
    for (let i = 0; i < COST_WARMUP_RUNS && performance.now() - started < COST_WARMUP_MS; i++) await codec.decode(await codec.encode({ dtype, bytes: sample }));
  }
  return measureCodecCosts(registry, { dtypes: [dtype], sampleBytes: NEGOTIATOR_COST_SAMPLE_BYTES, lossySampleBytes: NEGOTIATOR_LOSSY_COST_SAMPLE_BYTES, runs: NEGOTIATOR_COST_RUNS });
}

/**
 * The drift streak after a probe. A re-probe that finds what the last probe found (within
 * LINK_DRIFT_FACTOR) means the transfers disagree with the model, not that the link changed
 * (on loopback, mid-sized transfers run faster per byte than large ones): wait twice as long
 * before the next one, up to MAX_DRIFT_STREAK. A real change starts over at LINK_DRIFT_STREAK.
 */
export function nextDriftStreak(current: number | undefined, lastBps: number | undefined, probedBps: number): number {
  if (current === undefined || lastBps === undefined) return LINK_DRIFT_STREAK;
  const confirms = probedBps <= lastBps * LINK_DRIFT_FACTOR && probedBps >= lastBps / LINK_DRIFT_FACTOR;
  return confirms ? Math.min(current * 2, MAX_DRIFT_STREAK) : LINK_DRIFT_STREAK;
}

/**
 * Whether to put off re-probing a drifted path before a transfer of `bytes`: when its last
 * probe took more than REPROBE_MAX_SHARE of the time those bytes take raw on it (by the
 * current estimate), the probe would cost more than a better choice could save.
 */
export function deferReprobe(lastProbeMs: number | undefined, estimate: PathEstimate, bytes: number): boolean {
  if (lastProbeMs === undefined) return false;
  const rawMs = estimate.rttMs + (bytes / estimate.bytesPerSecond) * 1000;
  return lastProbeMs > REPROBE_MAX_SHARE * rawMs;
}

/**
 * Record batch size for the relayed path on a link of this throughput: RELAY_BATCH_LINK_MS of
 * link time, within RELAY_MIN_BATCH_BYTES..DEFAULT_BATCH_BYTES, a multiple of 8 as the Arrow layer uses.
 */
export function relayBatchBytes(bytesPerSecond: number): number {
  const bytes = Math.floor((bytesPerSecond * RELAY_BATCH_LINK_MS) / 1000 / 8) * 8;
  return Number.isFinite(bytes) ? Math.min(DEFAULT_BATCH_BYTES, Math.max(RELAY_MIN_BATCH_BYTES, bytes)) : DEFAULT_BATCH_BYTES;
}

function prior(path: PathName): PathEstimate {
  return probedPath(path, LINK_PRIOR_RTT_MS, LINK_PRIOR_BYTES_PER_SECOND);
}
