import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import type { FlightFrame } from '../../arrow';
import { DuetError } from '../../errors';
import type { Tensor } from '../../tensor';
import { ActionSchema, FlightDataSchema, HandshakeRequestSchema, HandshakeResponseSchema, ResultSchema, TicketSchema } from '../../wire/gen/arrow/flight/protocol/Flight_pb';
import { BridgePutOpenSchema, BridgePutReplySchema } from '../../wire/gen/duet/v1/flight_bridge_pb';
import { errorFromWire } from '../../wire/errors';
import { BRIDGE_UPLOAD_BATCH_BYTES, BRIDGE_UPLOAD_WINDOW_BYTES, TICKET_TTL_HEADER } from '../constants';
import { encodeFlightData, frameOf } from './flight-data-codec';
import { GrpcWebReader } from './grpc-web-reader';
import { errorOfFields, GRPC_WEB_CONTENT_TYPE, grpcWebFrame, parseGrpcWebBody } from './grpc-web';
import { getTensorOver, putTensorOver } from './tensor-transfer';
import { ticketTtlOf } from './ticket-spare';
import type { WebSocketConstructor } from '../websocket';
import type { FlightClient, FrameTransport, GetOptions, PutOptions, PutSummary } from './types';

// The Flight client for pages: fetch for gRPC-web calls (DoGet read with one arrayBuffer()) and
// a WebSocket for DoPut. Only web APIs, so it runs in browsers and, with an injected WebSocket
// (Node 20 has none built in; tests pass `ws`), in Node.

export type { WebSocketConstructor, WebSocketLike } from '../websocket';

export interface BridgeClientOptions {
  /** The bridge's base URL, e.g. `https://hub.example/flight` or `http://127.0.0.1:3000/flight`. */
  baseUrl: string;
  WebSocket: WebSocketConstructor;
  fetch?: typeof fetch;
  /** Unacknowledged upload bytes a page may have in flight; default BRIDGE_UPLOAD_WINDOW_BYTES. */
  uploadWindowBytes?: number;
}

const OPEN = 1;

export class BridgeFlightClient implements FlightClient, FrameTransport {
  private token: string | undefined;
  ticketTtlMs: number | undefined;
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: BridgeClientOptions) {
    this.base = options.baseUrl.replace(/\/$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  /** One unary gRPC-web call; the small response is read whole, then split without copies. */
  private async call<I extends DescMessage>(method: string, input: I, message: MessageShape<I>, onHeaders?: (h: Headers) => void): Promise<Uint8Array[]> {
    const res = await this.post(method, input, message);
    onHeaders?.(res.headers);
    let body: ArrayBuffer;
    try {
      body = await res.arrayBuffer();
    } catch (e) {
      throw DuetError.from(e, 'UNAVAILABLE');
    }
    return this.#split(new Uint8Array(body));
  }

  /** Sends a gRPC-web request; resolves with the response once its headers are in and are not an error. */
  private async post<I extends DescMessage>(method: string, input: I, message: MessageShape<I>, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': GRPC_WEB_CONTENT_TYPE, 'x-grpc-web': '1' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base}/arrow.flight.protocol.FlightService/${method}`, {
        method: 'POST',
        headers,
        body: grpcWebFrame(toBinary(input, message)) as BodyInit,
        signal,
      });
    } catch (e) {
      throw DuetError.from(e, 'UNAVAILABLE');
    }
    const early = errorOfFields((k) => res.headers.get(k));
    if (res.headers.get('grpc-status') !== null && early !== undefined) throw early;
    if (!res.ok) throw new DuetError('UNAVAILABLE', `The bridge answered HTTP ${res.status}.`, { reason: 'HTTP_ERROR' });
    return res;
  }

  async handshake(payload: Uint8Array): Promise<void> {
    const [first] = await this.call('Handshake', HandshakeRequestSchema, create(HandshakeRequestSchema, { protocolVersion: 1n, payload }));
    if (first === undefined) throw new DuetError('UNAUTHENTICATED', 'Handshake returned no response.', { reason: 'BAD_HANDSHAKE' });
    this.token = new TextDecoder().decode(fromBinary(HandshakeResponseSchema, first).payload);
  }

  async createTicket(): Promise<Uint8Array> {
    const [first] = await this.call('DoAction', ActionSchema, create(ActionSchema, { type: 'duet.ticket.create' }), (h) => {
      const ttl = ticketTtlOf(h.get(TICKET_TTL_HEADER));
      if (ttl !== undefined) this.ticketTtlMs = ttl;
    });
    if (first === undefined) throw new DuetError('INTERNAL', 'The ticket action returned no result.', { reason: 'BAD_RESPONSE' });
    return fromBinary(ResultSchema, first).body;
  }

  putTensor(ticket: Uint8Array, t: Tensor, options?: PutOptions): Promise<PutSummary> {
    // A smaller batch if asked (FlightSender sizes them to the link), never a larger one: 4 MiB
    // messages uploaded at half the speed of 1 MiB ones in Chromium.
    return putTensorOver(this, ticket, t, { ...options, batchBytes: Math.min(options?.batchBytes ?? BRIDGE_UPLOAD_BATCH_BYTES, BRIDGE_UPLOAD_BATCH_BYTES) });
  }

  getTensor(ticket: Uint8Array, options?: GetOptions): Promise<Tensor> {
    return getTensorOver(this, ticket, options);
  }

  /** DoGet, streamed: each FlightData is yielded as soon as it has arrived whole. */
  async *doGet(ticket: Uint8Array, signal?: AbortSignal): AsyncGenerator<FlightFrame> {
    const res = await this.post('DoGet', TicketSchema, create(TicketSchema, { ticket }), signal);
    if (!res.body) {
      yield* this.#frames(this.#split(new Uint8Array(await res.arrayBuffer())));
      return;
    }
    const reader = new GrpcWebReader();
    const body = res.body.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await body.read();
        } catch (e) {
          throw DuetError.from(e, 'UNAVAILABLE');
        }
        if (chunk.done) break;
        for (const item of reader.push(chunk.value)) {
          if ('message' in item) yield* this.#frames([item.message]);
          else if (item.status) throw item.status;
        }
      }
      reader.end();
    } finally {
      body.releaseLock();
    }
  }

  #split(body: Uint8Array): Uint8Array[] {
    const { messages, error } = parseGrpcWebBody(body);
    if (error !== undefined) throw error;
    return messages;
  }

  *#frames(messages: Uint8Array[]): Generator<FlightFrame> {
    for (const m of messages) {
      let frame: FlightFrame;
      try {
        frame = frameOf(fromBinary(FlightDataSchema, m));
      } catch (e) {
        throw new DuetError('INVALID_ARGUMENT', 'Malformed FlightData in the DoGet response.', { reason: 'MALFORMED_FLIGHT_DATA', cause: e });
      }
      yield frame;
    }
  }

  async doPut(ticket: Uint8Array, frames: AsyncIterable<FlightFrame>, signal?: AbortSignal): Promise<void> {
    const url = `${this.base.replace(/^http/, 'ws')}/ws`;
    const ws = new this.options.WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const windowBytes = this.options.uploadWindowBytes ?? BRIDGE_UPLOAD_WINDOW_BYTES;
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => undefined;
      ws.onclose = (ev) => reject(new DuetError('UNAVAILABLE', `Could not open the bridge upload (${ev.code}).`, { reason: 'CONNECTION_CLOSED' }));
    });
    let settled: DuetError | null | undefined; // undefined: running; null: succeeded
    let sent = 0;
    let acked = 0;
    let wake: (() => void) | undefined;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const result = new Promise<void>((resolve, reject) => {
      ws.onmessage = (ev) => {
        try {
          const { kind } = fromBinary(BridgePutReplySchema, new Uint8Array(ev.data as ArrayBuffer));
          if (kind.case === 'ackedBytes') {
            acked = Number(kind.value);
          } else if (kind.case === 'result') {
            settled = kind.value.error === undefined ? null : errorFromWire(kind.value.error);
            if (settled === null) resolve();
            else reject(settled);
          } else {
            throw new Error('The reply carries neither an ack nor a result.');
          }
        } catch (e) {
          settled = new DuetError('INTERNAL', 'The bridge sent a malformed reply.', { reason: 'BAD_RESPONSE', cause: e });
          reject(settled);
        }
        poke();
      };
      ws.onclose = (ev) => {
        if (settled === undefined) {
          settled = new DuetError('UNAVAILABLE', `The bridge closed the upload (${ev.code}${ev.reason ? `: ${ev.reason}` : ''}).`, { reason: 'CONNECTION_CLOSED' });
          reject(settled);
        }
        poke();
      };
      ws.onerror = () => undefined;
    });
    result.catch(() => undefined);
    const onAbort = () => ws.close(4000, 'cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      ws.send(toBinary(BridgePutOpenSchema, create(BridgePutOpenSchema, { token: this.token ?? '', ticket })));
      for await (const f of frames) {
        const bytes = encodeFlightData(f);
        // Paced by the hub's acks, never by timers: a background tab's timers may not fire for a minute.
        // One message always goes when nothing is in flight, however large.
        while (settled === undefined && sent > acked && sent - acked + bytes.byteLength > windowBytes) await new Promise<void>((r) => (wake = r));
        if (settled !== undefined) break;
        ws.send(bytes);
        sent += bytes.byteLength;
      }
      if (settled === undefined && ws.readyState === OPEN) ws.send(new Uint8Array(0));
      await result;
    } catch (e) {
      if (ws.readyState === OPEN) ws.close(4000, 'failed');
      throw signal?.aborted ? DuetError.from(signal.reason ?? e, 'CANCELLED') : settled ?? DuetError.from(e);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.token = undefined;
  }
}
