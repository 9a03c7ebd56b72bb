import { DuetError } from '../../errors';
import { assertDType, createHasher, tensorBytes, tensorFromBytes, type Hasher, type Tensor } from '../../tensor';
import { TensorChunkSchema, TensorEndSchema } from '../../wire/gen/duet/v1/transfer_pb';
import type { ControlChannel } from '../control-channel';
import { MAX_DATACHANNEL_MESSAGE_BYTES } from '../constants';
import { defineEvent } from '../rpc-types';
import type { SendResult, TensorReceiver, TensorSender, TransferContext, TransferInfo } from './types';

// The baseline path ("webrtc"): what Duet 0.5 did, done properly. The tensor travels as
// TensorChunk protobuf messages on the control channel, each sized to fit one DataChannel
// message (no fragmentation), paced by the channel's backpressure, hashed while sent.

export const TensorChunkEvent = defineEvent('duet.tensor.chunk', TensorChunkSchema);
export const TensorEndEvent = defineEvent('duet.tensor.end', TensorEndSchema);

/** TensorChunk's own framing (ids, offset, tags) plus the ControlFrame's; measured, with room. */
const CHUNK_FRAMING_BYTES = 128;
export const CONTROL_PATH_CHUNK_BYTES = MAX_DATACHANNEL_MESSAGE_BYTES - CHUNK_FRAMING_BYTES;

export class ControlPathSender implements TensorSender {
  readonly path = 'webrtc' as const;
  constructor(private readonly channel: ControlChannel) {}

  async send(tensor: Tensor, ctx: TransferContext): Promise<SendResult> {
    const bytes = tensorBytes(tensor);
    const hasher = await createHasher();
    for (let offset = 0; offset < bytes.byteLength; offset += CONTROL_PATH_CHUNK_BYTES) {
      if (ctx.signal?.aborted) throw new DuetError('CANCELLED', 'The transfer was cancelled.');
      const data = bytes.subarray(offset, Math.min(bytes.byteLength, offset + CONTROL_PATH_CHUNK_BYTES));
      hasher.update(data);
      await this.channel.emitEvent(TensorChunkEvent, { transferId: ctx.transferId, offset: BigInt(offset), data });
      ctx.onProgress?.({ bytes: offset + data.byteLength, totalBytes: bytes.byteLength });
    }
    const hash = hasher.digest();
    await this.channel.emitEvent(TensorEndEvent, { transferId: ctx.transferId, hash });
    return { bytes: bytes.byteLength, hash };
  }
}

interface Incoming {
  buffer: Uint8Array;
  filled: number;
  /** Set once hash-wasm is ready; it then catches up on what the buffer already holds. */
  hasher: Hasher | undefined;
  ctx: TransferContext;
  done: (hash: string) => void;
  fail: (e: DuetError) => void;
}

/** Listens on one control channel for the chunks of announced transfers. */
export class ControlPathReceiver implements TensorReceiver {
  readonly path = 'webrtc' as const;
  readonly #incoming = new Map<string, Incoming>();

  constructor(private readonly channel: ControlChannel) {
    channel.onEvent(TensorChunkEvent, (c) => this.#chunk(c.transferId, Number(c.offset), c.data));
    channel.onEvent(TensorEndEvent, (e) => this.#end(e.transferId, e.hash));
    channel.on('close', (e) => {
      for (const i of this.#incoming.values()) i.fail(e ?? new DuetError('UNAVAILABLE', 'The connection closed during the transfer.', { reason: 'PEER_CONNECTION_LOST' }));
    });
  }

  async receive(info: TransferInfo, ctx: TransferContext): Promise<Tensor> {
    const dtype = assertDType(info.dtype);
    const buffer = new Uint8Array(info.byteLength);
    let entry!: Incoming;
    // Registered synchronously: chunks may already be on their way when the start is seen.
    const ended = new Promise<string>((done, fail) => {
      entry = { buffer, filled: 0, hasher: undefined, ctx, done, fail };
      this.#incoming.set(ctx.transferId, entry);
      if (this.channel.closed) fail(new DuetError('UNAVAILABLE', 'The connection is closed.', { reason: 'PEER_CONNECTION_LOST' }));
      ctx.signal?.addEventListener('abort', () => fail(new DuetError('CANCELLED', 'The transfer was cancelled.')), { once: true });
    });
    ended.catch(() => undefined); // it may fail while we wait for the hasher; awaited below
    const hasher = await createHasher();
    hasher.update(buffer.subarray(0, entry.filled));
    entry.hasher = hasher;
    const hash = await ended.finally(() => this.#incoming.delete(ctx.transferId));
    if (hasher.digest() !== hash) {
      throw new DuetError('DATA_LOSS', `The tensor arrived corrupted: its hash does not match (transfer ${ctx.transferId}).`, { reason: 'HASH_MISMATCH' });
    }
    return tensorFromBytes(dtype, info.shape, buffer);
  }

  #end(transferId: string, hash: string): void {
    const i = this.#incoming.get(transferId);
    if (!i) return;
    if (i.filled !== i.buffer.byteLength) {
      return i.fail(new DuetError('DATA_LOSS', `Transfer ${transferId} ended after ${i.filled} of ${i.buffer.byteLength} bytes.`, { reason: 'TRUNCATED' }));
    }
    i.done(hash);
  }

  #chunk(transferId: string, offset: number, data: Uint8Array): void {
    const i = this.#incoming.get(transferId);
    if (!i) return; // a cancelled transfer's late chunks
    if (offset !== i.filled || offset + data.byteLength > i.buffer.byteLength) {
      return i.fail(new DuetError('DATA_LOSS', `Transfer ${transferId}: a chunk at offset ${offset} does not follow byte ${i.filled}.`, { reason: 'PROTOCOL_VIOLATION' }));
    }
    i.buffer.set(data, offset);
    i.hasher?.update(data);
    i.filled += data.byteLength;
    i.ctx.onProgress?.({ bytes: i.filled, totalBytes: i.buffer.byteLength });
  }
}
