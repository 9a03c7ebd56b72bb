import { DuetError } from '../../errors';
import { assertDType, type Tensor } from '../../tensor';
import type { FlightClient } from '../flight/types';
import { getTensorOver, putTensorOver } from '../flight/tensor-transfer';
import type { DataChannelFrames } from './data-channel-frames';
import { TicketSpare } from '../flight/ticket-spare';
import type { SealKeyAgreement } from './seal-keys';
import type { SendResult, TensorReceiver, TensorSender, TransferContext, TransferInfo } from './types';

// The two Arrow paths. Both stream FlightData (schema + record batches, hashed while sent):
// arrow-rtc peer to peer on a dedicated DataChannel, arrow-flight through the hub's Flight
// relay, sealed end to end because it crosses the hub.

const ticketOf = (transferId: string) => new TextEncoder().encode(transferId);

function options(ctx: TransferContext) {
  return { ...(ctx.signal ? { signal: ctx.signal } : {}), ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) };
}

function expectOf(info: TransferInfo) {
  return { maxTensorBytes: info.byteLength, expect: { dtype: assertDType(info.dtype), shape: info.shape } };
}

export class ArrowRtcSender implements TensorSender {
  readonly path = 'arrow-rtc' as const;
  constructor(private readonly frames: DataChannelFrames) {}

  async send(tensor: Tensor, ctx: TransferContext): Promise<SendResult> {
    const r = await putTensorOver(this.frames, ticketOf(ctx.transferId), tensor, options(ctx));
    return { bytes: r.bytes, hash: r.hash };
  }
}

export class ArrowRtcReceiver implements TensorReceiver {
  readonly path = 'arrow-rtc' as const;
  constructor(private readonly frames: DataChannelFrames) {}

  receive(info: TransferInfo, ctx: TransferContext): Promise<Tensor> {
    return getTensorOver(this.frames, ticketOf(ctx.transferId), { ...options(ctx), ...expectOf(info) });
  }
}

export class FlightSender implements TensorSender {
  readonly path = 'arrow-flight' as const;
  readonly #tickets: TicketSpare;
  constructor(
    private readonly client: () => Promise<FlightClient>,
    private readonly keys: SealKeyAgreement,
  ) {
    this.#tickets = new TicketSpare(client);
  }

  async prepare(): Promise<{ ticket: Uint8Array }> {
    const [ticket] = await Promise.all([this.#tickets.take(), this.keys.initiate()]);
    return { ticket };
  }

  async send(tensor: Tensor, ctx: TransferContext & { ticket?: Uint8Array }): Promise<SendResult> {
    if (!ctx.ticket) throw new DuetError('INTERNAL', 'A Flight transfer was sent without its ticket.');
    const batch = ctx.batchBytes !== undefined ? { batchBytes: ctx.batchBytes } : {};
    const r = await (await this.client()).putTensor(ctx.ticket, tensor, { ...options(ctx), ...batch, sealKey: await this.keys.initiate() });
    return { bytes: r.bytes, hash: r.hash };
  }
}

export class FlightReceiver implements TensorReceiver {
  readonly path = 'arrow-flight' as const;
  constructor(
    private readonly client: () => Promise<FlightClient>,
    private readonly keys: SealKeyAgreement,
  ) {}

  async receive(info: TransferInfo, ctx: TransferContext): Promise<Tensor> {
    if (!info.ticket) throw new DuetError('INVALID_ARGUMENT', 'A Flight transfer was announced without a ticket.', { reason: 'MALFORMED_MESSAGE' });
    const [client, sealKey] = await Promise.all([this.client(), this.keys.answered()]);
    return client.getTensor(info.ticket, { ...options(ctx), ...expectOf(info), sealKey });
  }
}
