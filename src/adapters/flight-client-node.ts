import { create } from '@bufbuild/protobuf';
import { Client, credentials, Metadata, type ChannelOptions, type ClientDuplexStream, type ClientReadableStream } from '@grpc/grpc-js';
import type { FlightFrame } from '../arrow';
import { DuetError } from '../errors';
import type { Tensor } from '../tensor';
import { encodeFlightData, frameOf } from '../transport/flight/flight-data-codec';
import { getTensorOver, putTensorOver } from '../transport/flight/tensor-transfer';
import { ticketTtlOf } from '../transport/flight/ticket-spare';
import { nodeSealCrypto } from './seal-node';
import { TICKET_TTL_HEADER } from '../transport/constants';
import type { FlightClient, FrameTransport, GetOptions, PutOptions, PutSummary } from '../transport/flight/types';
import {
  ActionSchema,
  HandshakeRequestSchema,
  TicketSchema,
  type HandshakeResponse,
  type Result,
} from '../wire/gen/arrow/flight/protocol/Flight_pb';
import { flightServiceDefinition, fromGrpcError, type RawFlightData } from './flight-grpc-node';
import { CLIENT_FLOW_CONTROL_WINDOW, CLIENT_MAX_IN_FLIGHT_BYTES, CLIENT_MAX_MESSAGE_BYTES, FLIGHT_HANDSHAKE_VERSION } from './constants';
import { BoundedWriter, readMessages } from './grpc-streams-node';

export interface NodeFlightClientOptions {
  /** host:port of a Flight service. */
  address: string;
  grpcOptions?: ChannelOptions;
}

function method(name: string) {
  const def = flightServiceDefinition[name];
  if (def === undefined) throw new DuetError('INTERNAL', `Flight method ${name} missing from the definition.`);
  return def;
}

/** The Flight client for Node, over @grpc/grpc-js. */
export class NodeFlightClient implements FlightClient, FrameTransport {
  private readonly client: Client;
  private token: string | undefined;
  ticketTtlMs: number | undefined;
  readonly sealCrypto = nodeSealCrypto;

  constructor(options: NodeFlightClientOptions) {
    this.client = new Client(options.address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': CLIENT_MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': CLIENT_MAX_MESSAGE_BYTES,
      'grpc-node.flow_control_window': CLIENT_FLOW_CONTROL_WINDOW,
      ...options.grpcOptions,
    });
  }

  /** Sets the bearer token directly (e.g. one handed over by another party). */
  setToken(token: string | undefined): void {
    this.token = token;
  }

  private metadata(): Metadata {
    const md = new Metadata();
    if (this.token !== undefined) md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  async handshake(payload: Uint8Array): Promise<void> {
    const m = method('Handshake');
    const call = this.client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, new Metadata()) as ClientDuplexStream<unknown, HandshakeResponse>;
    const response = await new Promise<HandshakeResponse>((resolve, reject) => {
      let got: HandshakeResponse | undefined;
      call.on('data', (r: HandshakeResponse) => (got ??= r));
      call.on('error', (e) => reject(fromGrpcError(e)));
      call.on('end', () => (got ? resolve(got) : reject(new DuetError('UNAUTHENTICATED', 'Handshake ended without a response.', { reason: 'BAD_HANDSHAKE' }))));
      call.write(create(HandshakeRequestSchema, { protocolVersion: FLIGHT_HANDSHAKE_VERSION, payload }));
      call.end();
    });
    this.token = new TextDecoder().decode(response.payload);
  }

  async createTicket(): Promise<Uint8Array> {
    const m = method('DoAction');
    const call = this.client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, create(ActionSchema, { type: 'duet.ticket.create' }), this.metadata()) as ClientReadableStream<Result>;
    call.on('metadata', (md: Metadata) => {
      const ttl = ticketTtlOf(String(md.get(TICKET_TTL_HEADER)[0] ?? ''));
      if (ttl !== undefined) this.ticketTtlMs = ttl;
    });
    const results: Result[] = [];
    for await (const r of readMessages<Result>(call, fromGrpcError)) results.push(r);
    const ticket = results[0]?.body;
    if (ticket === undefined) throw new DuetError('INTERNAL', 'The service answered the ticket action with no result.', { reason: 'BAD_RESPONSE' });
    return ticket;
  }

  putTensor(ticket: Uint8Array, t: Tensor, options?: PutOptions): Promise<PutSummary> {
    return putTensorOver(this, ticket, t, options);
  }

  getTensor(ticket: Uint8Array, options?: GetOptions): Promise<Tensor> {
    return getTensorOver(this, ticket, options);
  }

  async doPut(ticket: Uint8Array, frames: AsyncIterable<FlightFrame>, signal?: AbortSignal): Promise<void> {
    const m = method('DoPut');
    const call = this.client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, this.metadata()) as ClientDuplexStream<RawFlightData, unknown>;
    const writer = new BoundedWriter(call, CLIENT_MAX_IN_FLIGHT_BYTES);
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', () => undefined);
      call.on('error', (e) => {
        const err = fromGrpcError(e);
        writer.fail(err);
        reject(err);
      });
      call.on('end', () => resolve());
    });
    done.catch(() => undefined);
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let first = true;
      for await (const f of frames) {
        const raw = encodeFlightData(f, first ? ticket : undefined);
        first = false;
        await writer.write({ raw, data: undefined, error: undefined } satisfies RawFlightData, raw.byteLength);
      }
      call.end();
      await done;
    } catch (e) {
      call.cancel();
      // The server's status says more than our write failure, when it has one.
      throw await done.then(
        () => DuetError.from(e),
        (serverErr: unknown) => (signal?.aborted ? DuetError.from(e, 'CANCELLED') : serverErr),
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async *doGet(ticket: Uint8Array, signal?: AbortSignal): AsyncGenerator<FlightFrame> {
    const m = method('DoGet');
    const call = this.client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, create(TicketSchema, { ticket }), this.metadata()) as ClientReadableStream<RawFlightData>;
    const onAbort = () => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const msg of readMessages<RawFlightData>(call, fromGrpcError)) {
        if (msg.error !== undefined) throw msg.error;
        if (msg.data !== undefined) yield frameOf(msg.data);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  close(): void {
    this.client.close();
  }
}
