import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { rawFlightData } from '../../src/adapters/flight-grpc-node';
import { DuetError } from '../../src/errors';
import { TICKET_TTL_HEADER } from '../../src/transport/constants';
import { GRPC_WEB_CONTENT_TYPE, grpcWebFrame, grpcWebPrefix, grpcWebTrailer, parseGrpcWebBody } from '../../src/transport/flight/grpc-web';
import { errorToWire } from '../../src/wire/errors';
import { BridgePutOpenSchema, BridgePutReplySchema } from '../../src/wire/gen/duet/v1/flight_bridge_pb';
import {
  ActionSchema,
  ActionTypeSchema,
  FlightService,
  HandshakeRequestSchema,
  HandshakeResponseSchema,
  ResultSchema,
  TicketSchema,
} from '../../src/wire/gen/arrow/flight/protocol/Flight_pb';
import { ACTION_CREATE_TICKET, BRIDGE_MAX_REQUEST_BYTES, BRIDGE_PREFIX, FLIGHT_PROTOCOL_VERSION, MAX_FLIGHT_MESSAGE_BYTES } from './constants';
import type { FlightRelay } from './relay';

// The browser bridge: pages reach the same FlightRelay through the hub's HTTP port.
// - Handshake, DoAction, ListActions and DoGet are gRPC-web calls (application/grpc-web+proto)
//   on `${prefix}/arrow.flight.protocol.FlightService/<Method>`; a page reads DoGet's whole
//   response with one arrayBuffer(), the fast way to download in a browser.
// - DoPut is a WebSocket on `${prefix}/ws` (browsers cannot stream a request body fast, and
//   gRPC-web has no client streaming): BridgePutOpen, then one FlightData per binary message,
//   then an empty message; the hub acks each message the relay took, then sends the result.
// Both sides apply backpressure (the page a window of unacked bytes, the hub by pausing the
// socket), so the relay's memory bound holds for pages too.

export interface FlightBridgeOptions {
  /** URL prefix; default BRIDGE_PREFIX. */
  prefix?: string;
  /**
   * Attach to `httpServer` by wrapping its 'request' listeners and adding an 'upgrade' listener
   * that only touches `${prefix}/ws` (default true). With false, call handleRequest/handleUpgrade yourself.
   */
  attach?: boolean;
}

export interface FlightBridge {
  /** Handles the request if its path is under the prefix; returns false otherwise. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Handles the upgrade if its path is `${prefix}/ws`; returns false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

const SERVICE_PATH = `/${FlightService.typeName}/`;

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://x').pathname;
}

function asDuet(e: unknown): DuetError {
  return DuetError.from(e);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > BRIDGE_MAX_REQUEST_BYTES) {
      throw new DuetError('RESOURCE_EXHAUSTED', `A bridge request body is limited to BRIDGE_MAX_REQUEST_BYTES=${BRIDGE_MAX_REQUEST_BYTES}.`, { reason: 'LIMIT_EXCEEDED' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function decodeRequest<T extends DescMessage>(schema: T, body: Uint8Array) {
  const { messages } = parseGrpcWebBodyLoose(body);
  const msg = messages[0];
  if (messages.length !== 1 || msg === undefined) throw new DuetError('INVALID_ARGUMENT', 'A bridge call takes exactly one request message.', { reason: 'BAD_REQUEST' });
  try {
    return fromBinary(schema, msg);
  } catch (e) {
    throw new DuetError('INVALID_ARGUMENT', `The request is not a ${schema.typeName}.`, { reason: 'BAD_REQUEST', cause: e });
  }
}

function parseGrpcWebBodyLoose(body: Uint8Array) {
  try {
    return parseGrpcWebBody(body, true);
  } catch (e) {
    throw new DuetError('INVALID_ARGUMENT', 'The request body is not gRPC-web framed.', { reason: 'BAD_REQUEST', cause: e });
  }
}

export function attachFlightBridge(httpServer: HttpServer, relay: FlightRelay, options: FlightBridgeOptions = {}): FlightBridge {
  const prefix = (options.prefix ?? BRIDGE_PREFIX).replace(/\/$/, '');
  const wsPath = `${prefix}/ws`;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FLIGHT_MESSAGE_BYTES });
  wss.on('connection', (ws) => servePut(relay, ws));

  const bridge: FlightBridge = {
    handleRequest(req, res) {
      const path = pathOf(req);
      if (!path.startsWith(`${prefix}/`)) return false;
      void serveCall(relay, path.slice(prefix.length), req, res);
      return true;
    },
    handleUpgrade(req, socket, head) {
      if (pathOf(req) !== wsPath) return false;
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return true;
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };

  if (options.attach ?? true) {
    // Like socket.io: requests under the prefix are ours, the rest go to the listeners already there.
    const others = httpServer.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    httpServer.removeAllListeners('request');
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!bridge.handleRequest(req, res)) for (const l of others) l.call(httpServer, req, res);
    });
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void bridge.handleUpgrade(req, socket, head));
  }
  return bridge;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function serveCall(relay: FlightRelay, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let started = false;
  const start = (headers: Record<string, string> = {}) => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'content-type': GRPC_WEB_CONTENT_TYPE, 'cache-control': 'no-store', ...headers });
  };
  try {
    if (req.method !== 'POST') throw new DuetError('UNIMPLEMENTED', 'Bridge calls are POSTs.', { reason: 'BAD_REQUEST' });
    if (!path.startsWith(SERVICE_PATH)) throw new DuetError('NOT_FOUND', `No bridge route ${path}.`, { reason: 'NOT_FOUND' });
    const method = path.slice(SERVICE_PATH.length);
    const body = await readBody(req);
    const auth = req.headers.authorization;
    switch (method) {
      case 'Handshake': {
        const hs = decodeRequest(HandshakeRequestSchema, body);
        const token = await relay.handshake(Number(hs.protocolVersion), hs.payload);
        start();
        res.write(grpcWebFrame(toBinary(HandshakeResponseSchema, create(HandshakeResponseSchema, { protocolVersion: BigInt(FLIGHT_PROTOCOL_VERSION), payload: new TextEncoder().encode(token) }))));
        break;
      }
      case 'DoAction': {
        const action = decodeRequest(ActionSchema, body);
        const principal = relay.principalOf(auth);
        if (action.type !== ACTION_CREATE_TICKET) throw new DuetError('UNIMPLEMENTED', `Action "${action.type}" is not offered.`, { reason: 'NOT_OFFERED' });
        const ticket = relay.createTicket(principal);
        start({ [TICKET_TTL_HEADER]: String(relay.limits.ticketTtlMs) });
        res.write(grpcWebFrame(toBinary(ResultSchema, create(ResultSchema, { body: ticket }))));
        break;
      }
      case 'ListActions': {
        relay.principalOf(auth);
        start();
        res.write(grpcWebFrame(toBinary(ActionTypeSchema, create(ActionTypeSchema, { type: ACTION_CREATE_TICKET, description: 'Issue a single-use ticket bound to your session.' }))));
        break;
      }
      case 'DoGet': {
        const ticket = decodeRequest(TicketSchema, body);
        const principal = relay.principalOf(auth);
        const source = relay.get(principal, ticket.ticket);
        let gone = false;
        res.on('close', () => {
          if (!res.writableFinished) {
            gone = true;
            void source.return(undefined);
          }
        });
        start();
        for await (const raw of source) {
          if (gone) break;
          res.write(grpcWebPrefix(raw.byteLength));
          if (!res.write(raw)) await drained(res);
        }
        if (gone) return;
        break;
      }
      default:
        throw new DuetError('UNIMPLEMENTED', `${method} is not offered over the browser bridge (DoPut is the WebSocket at /ws).`, { reason: 'NOT_OFFERED' });
    }
    res.end(grpcWebTrailer());
  } catch (e) {
    if (res.destroyed) return;
    start();
    res.end(grpcWebTrailer(asDuet(e)));
  }
}

function servePut(relay: FlightRelay, ws: WebSocket): void {
  const queue: Uint8Array[] = [];
  let ended = false;
  let failure: DuetError | undefined;
  let wake: (() => void) | undefined;
  let opened = false;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let acked = 0;
  const reply = (kind: MessageInitShape<typeof BridgePutReplySchema>['kind'], then?: () => void) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(toBinary(BridgePutReplySchema, create(BridgePutReplySchema, { kind })), then);
  };
  const finish = (result: { error?: DuetError; bytes?: number }) => {
    const value = { bytes: BigInt(result.bytes ?? 0), error: result.error === undefined ? undefined : errorToWire(result.error) };
    reply({ case: 'result', value }, () => ws.close(1000));
  };
  async function* messages(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const m = queue.shift();
      if (m !== undefined) {
        yield m;
        // The relay took it: the page may send that much more.
        acked += m.byteLength;
        reply({ case: 'ackedBytes', value: BigInt(acked) });
        ws.resume();
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  }
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!opened) {
      opened = true;
      try {
        if (!isBinary) throw new DuetError('INVALID_ARGUMENT', 'The bridge expects binary messages.', { reason: 'BAD_REQUEST' });
        const open = fromBinary(BridgePutOpenSchema, bytes);
        const principal = relay.principalOf(`Bearer ${open.token}`);
        relay.put(principal, open.ticket, messages()).then(
          (n) => finish({ bytes: n }),
          (e: unknown) => finish({ error: asDuet(e) }),
        );
      } catch (e) {
        finish({ error: asDuet(e) });
      }
      return;
    }
    if (bytes.byteLength === 0) {
      ended = true;
    } else {
      const m = rawFlightData(bytes);
      if (m.error !== undefined) failure ??= m.error;
      else queue.push(bytes);
      // One message at a time: stop reading the socket until the relay took this one.
      ws.pause();
    }
    signal();
  });
  ws.on('close', () => {
    if (!ended) failure ??= new DuetError('UNAVAILABLE', 'The page closed its upload mid-transfer.', { reason: 'PRODUCER_GONE' });
    signal();
  });
  ws.on('error', () => undefined);
}
