import { DuetError } from '../errors';
import { assertDType, byteLengthOf, tensor as makeTensor, tensorBytes, tensorFromBytes, type Tensor } from '../tensor';
import type { CodecRegistry } from '../codecs';
import { randomId } from '../util/bytes';
import { Emitter } from '../util/emitter';
import type { ControlChannel } from '../transport/control-channel';
import { defineEvent } from '../transport/rpc-types';
import type { SimplePeerLink } from '../transport/simple-peer-link';
import type { FrameTransport } from '../transport/flight/types';
import { PATH_NAMES, type PathName, type TensorReceiver, type TensorSender, type TransferProgress } from '../transport/paths/types';
import { TransferCancelSchema, TransferStartSchema, type TransferStart } from '../wire/gen/duet/v1/transfer_pb';
import type { Session } from './session';

// Moves tensors from the owner to the scientist over whichever path is chosen for each one.
// The owner announces each transfer with TransferStart on the control channel (path, codec,
// why, and the tensor's dtype/shape/size), then streams it; the scientist, who registered the
// transfer id beforehand, rebuilds it with that path's receiver and checks its hash.

export const TransferStartEvent = defineEvent('duet.transfer.start', TransferStartSchema);
export const TransferCancelEvent = defineEvent('duet.transfer.cancel', TransferCancelSchema);

/** A transfer nobody expects is dropped after this long; its sender then times out. */
export const UNEXPECTED_TRANSFER_MS = 30_000;

/** What a path needs to attach to one connection. */
export interface PathContext {
  channel: ControlChannel;
  link: SimplePeerLink;
  peerId: string;
  session: Session;
}

/** A path: built per connection, with its owner (sender) and scientist (receiver) halves. */
export interface PathPlugin {
  readonly name: PathName;
  attach(ctx: PathContext): { sender: TensorSender; receiver: TensorReceiver; raw?: () => Promise<FrameTransport> };
}

export interface PathChoice {
  path: PathName;
  codec: string;
  reason: string;
  /** Record batch size for the path, when the chooser sized it to the link; else the path's default. */
  batchBytes?: number;
}

export interface TensorShape {
  dtype: string;
  shape: readonly number[];
  byteLength: number;
}

/** What a sender fixed for one transfer, overriding the choice. */
export interface Pins {
  path?: PathName;
  codec?: string;
}

/** What a chooser may look at beyond the shape: the payload itself (to sample it), whether it is a gradient, and the connection. */
export interface ChooseContext {
  transferId: string;
  peerId: string;
  channel: ControlChannel;
  tensor: Tensor;
  /** Marked as a gradient (SendOptions.gradient, or a stream name): lossy codecs are conceivable. */
  gradient: boolean;
  /** The named tensor stream it belongs to, if any (SendOptions.stream). */
  stream?: string;
}

/** Picks the path and codec for one tensor; the negotiator plugs in here. It may take its time (sampling the payload). */
export type ChoosePath = (tensor: TensorShape, available: readonly PathName[], pins: Pins, context: ChooseContext) => PathChoice | Promise<PathChoice>;

export const pinnedOrFirst: ChoosePath = (_t, available, pins) => {
  const codec = pins.codec ?? 'none';
  if (pins.path) return { path: pins.path, codec, reason: `${pins.path}: pinned` };
  const path = available[0];
  if (!path) throw new DuetError('UNAVAILABLE', 'No tensor path is available on this connection.', { reason: 'NO_PATH' });
  return { path, codec, reason: `${path}: the first path` };
};

export interface TransferSummary {
  transferId: string;
  path: PathName;
  codec: string;
  reason: string;
  bytes: number;
  hash: string;
  ms: number;
}

/** A transfer announced: sent by this side (`out`) or arriving (`in`). Both sides see the pick and its reason. */
export interface TransferAnnounced {
  transferId: string;
  peerId: string;
  direction: 'out' | 'in';
  path: PathName;
  codec: string;
  reason: string;
  /** Bytes that travel (the codec frame) and bytes of the tensor itself. */
  wireBytes: number;
  bytes: number;
  /** Sent with a codec: how long encoding the whole tensor took here, in ms. */
  encodeMs?: number;
}

/** The receiving side: a transfer's bytes have all arrived (before decoding). */
export interface TransferArrived {
  transferId: string;
  peerId: string;
  path: PathName;
  codec: string;
  wireBytes: number;
  /** From TransferStart's arrival to the last byte. */
  ms: number;
}

export interface TransfersEvents {
  announced: TransferAnnounced;
  arrived: TransferArrived;
  sent: TransferSummary & { peerId: string };
}

export interface TransfersOptions {
  /** Picks path and codec per tensor; default: the pinned path, else the first, with no codec. */
  choose?: ChoosePath;
  /** The codecs this runtime can encode and decode; needed for any codec but "none". */
  codecs?: CodecRegistry;
}

export interface SendOptions {
  transferId?: string;
  /** Names a gradient stream, for lossy codecs' error feedback; implies `gradient`. */
  stream?: string;
  /** The payload is a gradient, so a lossy codec may be chosen (with consent). Default: true when `stream` is set. */
  gradient?: boolean;
  peerId?: string;
  path?: PathName;
  codec?: string;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Called once the path and codec are chosen and announced to the peer. */
  onAnnounce?: (choice: PathChoice) => void;
}

export interface ExpectOptions {
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Called when the owner announces the transfer: the path, codec and reason it chose. */
  onStart?: (start: TransferStart) => void;
  timeoutMs?: number;
}

interface Attached {
  peerId: string;
  channel: ControlChannel;
  senders: Map<PathName, TensorSender>;
  receivers: Map<PathName, TensorReceiver>;
  raw: Map<PathName, () => Promise<FrameTransport>>;
}

interface Expected {
  options: ExpectOptions;
  start: (s: TransferStart, c: Attached) => void;
}

export class Transfers extends Emitter<TransfersEvents> {
  readonly #connections = new Map<string, Attached>();
  readonly #expected = new Map<string, Expected>();
  /** The owner's transfers in flight, so the scientist can stop them. */
  readonly #sending = new Map<string, AbortController>();

  private readonly choose: ChoosePath;
  private readonly codecs: CodecRegistry | undefined;

  constructor(
    private readonly session: Session,
    private readonly plugins: readonly PathPlugin[],
    options: TransfersOptions = {},
  ) {
    super();
    this.choose = options.choose ?? pinnedOrFirst;
    this.codecs = options.codecs;
    session.on('channel', ({ peerId, channel, link }) => this.#attach(peerId, channel, link));
    // Leaving the session stops what is still being sent; a closed tab could not finish it either.
    session.on('state', (state) => {
      if (state !== 'closed') return;
      for (const abort of this.#sending.values()) abort.abort();
    });
  }

  /** Paths available to a peer right now, in the order the plugins were given. */
  paths(peerId?: string): PathName[] {
    const c = this.#connection(peerId);
    return PATH_NAMES.filter((p) => c.senders.has(p));
  }

  /** A path's bare frame transport, for measuring its ceiling (benchmarks only). */
  raw(path: PathName, peerId?: string): Promise<FrameTransport> {
    const raw = this.#connection(peerId).raw.get(path);
    if (!raw) throw new DuetError('UNIMPLEMENTED', `The ${path} path has no raw transport.`, { reason: 'NO_PATH' });
    return raw();
  }

  /** Owner: announces and sends one tensor. */
  async send(tensor: Tensor, options: SendOptions = {}): Promise<TransferSummary> {
    const transferId = options.transferId ?? randomId(16);
    const c = this.#connection(options.peerId);
    const info = { dtype: tensor.dtype, shape: tensor.shape, byteLength: byteLengthOf(tensor.dtype, tensor.shape) };
    const pins = { ...(options.path ? { path: options.path } : {}), ...(options.codec ? { codec: options.codec } : {}) };
    const gradient = options.gradient ?? options.stream !== undefined;
    const stream = options.stream;
    const choice = await this.choose(info, this.paths(c.peerId), pins, { transferId, peerId: c.peerId, channel: c.channel, tensor, gradient, ...(stream !== undefined ? { stream } : {}) });
    const sender = c.senders.get(choice.path);
    if (!sender) throw new DuetError('UNAVAILABLE', `The ${choice.path} path is not available on this connection.`, { reason: 'NO_PATH', details: { path: choice.path } });
    const started = performance.now();
    const abort = new AbortController();
    options.signal?.addEventListener('abort', () => abort.abort(options.signal?.reason), { once: true });
    this.#sending.set(transferId, abort);
    const ctx = { transferId, signal: abort.signal, ...(options.onProgress ? { onProgress: options.onProgress } : {}) };
    try {
      return await this.#announceAndSend(tensor, c, sender, choice, info, ctx, started, stream, options.onAnnounce);
    } catch (e) {
      throw abort.signal.aborted ? new DuetError('CANCELLED', `Transfer ${transferId} was cancelled.`, { cause: e }) : e;
    } finally {
      this.#sending.delete(transferId);
    }
  }

  async #announceAndSend(
    tensor: Tensor,
    c: Attached,
    sender: TensorSender,
    choice: PathChoice,
    info: TensorShape,
    ctx: { transferId: string; signal: AbortSignal; onProgress?: (p: TransferProgress) => void },
    started: number,
    stream: string | undefined,
    onAnnounce: ((choice: PathChoice) => void) | undefined,
  ): Promise<TransferSummary> {
    const transferId = ctx.transferId;
    const encodeStarted = performance.now();
    const wire = await this.#encode(tensor, choice.codec, stream);
    const encodeMs = wire === tensor ? undefined : performance.now() - encodeStarted;
    const wireInfo = wire === tensor ? info : { dtype: 'uint8', shape: wire.shape, byteLength: wire.data.byteLength };
    const { ticket } = (await sender.prepare?.(ctx)) ?? {};
    const infoMsg = (i: TensorShape) => ({ dtype: i.dtype, shape: i.shape.map(BigInt), byteLength: BigInt(i.byteLength) });
    await c.channel.emitEvent(TransferStartEvent, {
      transferId,
      path: choice.path,
      codec: choice.codec,
      reason: choice.reason,
      tensor: infoMsg(wireInfo),
      ...(wire === tensor ? {} : { decoded: infoMsg(info) }),
      ...(ticket ? { ticket } : {}),
    });
    this.emit('announced', { transferId, peerId: c.peerId, direction: 'out', ...choice, wireBytes: wireInfo.byteLength, bytes: info.byteLength, ...(encodeMs !== undefined ? { encodeMs } : {}) });
    onAnnounce?.(choice);
    const result = await sender.send(wire, { ...ctx, ...(ticket ? { ticket } : {}), ...(choice.batchBytes !== undefined ? { batchBytes: choice.batchBytes } : {}) });
    const summary = { transferId, ...choice, bytes: result.bytes, hash: result.hash, ms: performance.now() - started };
    this.emit('sent', { ...summary, peerId: c.peerId });
    return summary;
  }

  /** The tensor as it travels: itself, or its codec frame as a uint8 tensor. */
  async #encode(t: Tensor, codecId: string, stream: string | undefined): Promise<Tensor> {
    if (codecId === 'none') return t;
    const codec = this.#codec(codecId);
    const frame = await codec.encode({ dtype: t.dtype, bytes: tensorBytes(t), ...(stream ? { stream } : {}) });
    return makeTensor('uint8', [frame.byteLength], frame);
  }

  #codec(id: string) {
    if (!this.codecs) throw new DuetError('UNIMPLEMENTED', `Codec "${id}" was chosen but this side has no codecs.`, { reason: 'CODEC_UNAVAILABLE' });
    return this.codecs.get(id);
  }

  /** Decodes a received codec frame into the announced tensor, never past its announced size. */
  async #decode(wire: Tensor, s: TransferStart): Promise<Tensor> {
    if (s.codec === 'none' || s.codec === '') return wire;
    const d = s.decoded;
    if (!d) throw new DuetError('INVALID_ARGUMENT', `Transfer ${s.transferId} uses codec "${s.codec}" but does not say what it decodes to.`, { reason: 'MALFORMED_MESSAGE' });
    const bytes = await this.#codec(s.codec).decode(tensorBytes(wire), { maxBytes: Number(d.byteLength) });
    return tensorFromBytes(assertDType(d.dtype), d.shape.map(Number), bytes);
  }

  /** Scientist: resolves with the tensor of `transferId` once it has arrived whole and verified. */
  expect(transferId: string, options: ExpectOptions = {}): Promise<Tensor> {
    if (this.#expected.has(transferId)) throw new DuetError('ALREADY_EXISTS', `Transfer ${transferId} is already expected.`);
    return new Promise<Tensor>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new DuetError('DEADLINE_EXCEEDED', `The tensor did not start arriving within ${options.timeoutMs} ms.`)),
        options.timeoutMs ?? UNEXPECTED_TRANSFER_MS,
      );
      const fail = (e: unknown) => {
        clearTimeout(timer);
        this.#expected.delete(transferId);
        reject(DuetError.from(e));
      };
      options.signal?.addEventListener(
        'abort',
        () => {
          fail(new DuetError('CANCELLED', 'The transfer was cancelled.'));
          // Tell the owner to stop sending; best effort, the connection may be gone.
          try {
            void this.#connection().channel.emitEvent(TransferCancelEvent, { transferId, reason: 'cancelled by the scientist' }).catch(() => undefined);
          } catch {
            // not connected: nothing is being sent
          }
        },
        { once: true },
      );
      this.#expected.set(transferId, {
        options,
        start: (s, c) => {
          const arrivedAt = performance.now();
          clearTimeout(timer);
          this.#expected.delete(transferId);
          options.onStart?.(s);
          const path = s.path as PathName;
          const receiver = c.receivers.get(path);
          if (!receiver || !s.tensor) return fail(new DuetError('UNIMPLEMENTED', `This side cannot receive over "${s.path}".`, { reason: 'NO_PATH' }));
          const info = { dtype: s.tensor.dtype, shape: s.tensor.shape.map(Number), byteLength: Number(s.tensor.byteLength), ...(s.ticket.byteLength ? { ticket: s.ticket } : {}) };
          const codec = s.codec || 'none';
          const bytes = Number(s.decoded?.byteLength ?? s.tensor.byteLength);
          this.emit('announced', { transferId, peerId: c.peerId, direction: 'in', path, codec, reason: s.reason, wireBytes: info.byteLength, bytes });
          receiver
            .receive(info, { transferId, ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) })
            .then((wire) => {
              this.emit('arrived', { transferId, peerId: c.peerId, path, codec, wireBytes: info.byteLength, ms: performance.now() - arrivedAt });
              return this.#decode(wire, s);
            })
            .then(resolve, fail);
        },
      });
    });
  }

  #connection(peerId?: string): Attached {
    const c = peerId ? this.#connections.get(peerId) : [...this.#connections.values()].find((x) => !x.channel.closed);
    if (!c || c.channel.closed) throw new DuetError('UNAVAILABLE', 'Not connected to the other person right now.', { reason: 'NOT_CONNECTED' });
    return c;
  }

  #attach(peerId: string, channel: ControlChannel, link: SimplePeerLink): void {
    const senders = new Map<PathName, TensorSender>();
    const receivers = new Map<PathName, TensorReceiver>();
    const raw = new Map<PathName, () => Promise<FrameTransport>>();
    for (const plugin of this.plugins) {
      const attached = plugin.attach({ channel, link, peerId, session: this.session });
      senders.set(plugin.name, attached.sender);
      receivers.set(plugin.name, attached.receiver);
      if (attached.raw) raw.set(plugin.name, attached.raw);
    }
    const attached: Attached = { peerId, channel, senders, receivers, raw };
    this.#connections.set(peerId, attached);
    channel.onEvent(TransferStartEvent, (s) => this.#expected.get(s.transferId)?.start(s, attached));
    channel.onEvent(TransferCancelEvent, (m) => this.#sending.get(m.transferId)?.abort());
  }
}
