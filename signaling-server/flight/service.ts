import { create } from '@bufbuild/protobuf';
import type {
  handleBidiStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  Metadata,
  ServerDuplexStream,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Metadata as GrpcMetadata } from '@grpc/grpc-js';
import { DuetError } from '../../src/errors';
import { toGrpcStatus, type RawFlightData } from '../../src/adapters/flight-grpc-node';
import { ticketOfDescriptor } from '../../src/transport/flight/flight-data-codec';
import { TICKET_TTL_HEADER } from '../../src/transport/constants';
import {
  ActionTypeSchema,
  HandshakeResponseSchema,
  PutResultSchema,
  ResultSchema,
  type Action,
  type HandshakeRequest,
  type Ticket,
} from '../../src/wire/gen/arrow/flight/protocol/Flight_pb';
import { ACTION_CREATE_TICKET, FLIGHT_PROTOCOL_VERSION } from './constants';
import { BoundedWriter, readMessages } from '../../src/adapters/grpc-streams-node';
import type { FlightRelay } from './relay';
import type { Principal } from './tokens';

const ACTIONS = [{ type: ACTION_CREATE_TICKET, description: 'Issue a single-use 128-bit ticket bound to your session; Result.body is the ticket.' }];

function authorization(metadata: Metadata): string | undefined {
  const v = metadata.get('authorization')[0];
  return typeof v === 'string' ? v : undefined;
}

function unimplemented(what: string): DuetError {
  return new DuetError('UNIMPLEMENTED', `${what} is not offered by Duet's Flight service: it moves tensors by ticket (DoAction "${ACTION_CREATE_TICKET}", DoPut, DoGet).`, {
    reason: 'NOT_OFFERED',
  });
}

/** gRPC handlers over a FlightRelay. Every failure leaves as a status from grpcStatusOf. */
export function flightServiceHandlers(relay: FlightRelay): UntypedServiceImplementation {
  const Handshake: handleBidiStreamingCall<HandshakeRequest, unknown> = (call) => {
    let answered = false;
    call.on('data', (req: HandshakeRequest) => {
      if (answered) return;
      answered = true;
      relay
        .handshake(Number(req.protocolVersion), req.payload)
        .then((token) => {
          const md = new GrpcMetadata();
          md.set('authorization', `Bearer ${token}`);
          call.sendMetadata(md);
          call.write(create(HandshakeResponseSchema, { protocolVersion: BigInt(FLIGHT_PROTOCOL_VERSION), payload: new TextEncoder().encode(token) }));
          call.end();
        })
        .catch((e: unknown) => call.emit('error', toGrpcStatus(e)));
    });
    call.on('end', () => {
      if (!answered) call.emit('error', toGrpcStatus(new DuetError('INVALID_ARGUMENT', 'Handshake needs one HandshakeRequest.', { reason: 'BAD_HANDSHAKE' })));
    });
  };

  const DoGet: handleServerStreamingCall<Ticket, RawFlightData> = (call) => {
    let principal: Principal;
    try {
      principal = relay.principalOf(authorization(call.metadata));
    } catch (e) {
      call.emit('error', toGrpcStatus(e));
      return;
    }
    const writer = new BoundedWriter(call, relay.limits.maxBufferedBytes);
    let source: AsyncGenerator<Uint8Array>;
    try {
      source = relay.get(principal, call.request.ticket);
    } catch (e) {
      call.emit('error', toGrpcStatus(e));
      return;
    }
    call.on('cancelled', () => {
      writer.fail(new DuetError('CANCELLED', 'The consumer went away.', { reason: 'CONSUMER_GONE' }));
      void source.return(undefined);
    });
    void (async () => {
      try {
        for await (const raw of source) {
          await writer.write({ raw, data: undefined, error: undefined } satisfies RawFlightData, raw.byteLength);
        }
        call.end();
      } catch (e) {
        call.emit('error', toGrpcStatus(e));
      }
    })();
  };

  const DoPut: handleBidiStreamingCall<RawFlightData, unknown> = (call: ServerDuplexStream<RawFlightData, unknown>) => {
    void (async () => {
      try {
        const principal = relay.principalOf(authorization(call.metadata));
        const messages = readMessages<RawFlightData>(call, (e) => DuetError.from(e, 'UNAVAILABLE'), () => new DuetError('UNAVAILABLE', 'The producer went away mid-transfer.', { reason: 'PRODUCER_GONE' }));
        const first = await messages.next();
        if (first.done === true) throw new DuetError('INVALID_ARGUMENT', 'DoPut needs at least one FlightData.', { reason: 'MALFORMED_FLIGHT_DATA' });
        if (first.value.error !== undefined) throw first.value.error;
        const ticket = first.value.data === undefined ? undefined : ticketOfDescriptor(first.value.data);
        if (ticket === undefined) {
          throw new DuetError('INVALID_ARGUMENT', 'The first FlightData of a DoPut must carry a CMD descriptor holding the ticket.', { reason: 'MALFORMED_FLIGHT_DATA' });
        }
        async function* raw(): AsyncGenerator<Uint8Array> {
          yield first.value!.raw;
          for await (const m of messages) {
            if (m.error !== undefined) throw m.error;
            yield m.raw;
          }
        }
        const bytes = await relay.put(principal, ticket, raw());
        call.write(create(PutResultSchema, { appMetadata: new TextEncoder().encode(JSON.stringify({ bytes })) }));
        call.end();
      } catch (e) {
        call.emit('error', toGrpcStatus(e));
      }
    })();
  };

  const DoAction: handleServerStreamingCall<Action, unknown> = (call) => {
    try {
      const principal = relay.principalOf(authorization(call.metadata));
      if (call.request.type !== ACTION_CREATE_TICKET) throw unimplemented(`Action "${call.request.type}"`);
      const ticket = relay.createTicket(principal);
      const md = new GrpcMetadata();
      md.set(TICKET_TTL_HEADER, String(relay.limits.ticketTtlMs));
      call.sendMetadata(md);
      call.write(create(ResultSchema, { body: ticket }));
      call.end();
    } catch (e) {
      call.emit('error', toGrpcStatus(e));
    }
  };

  const ListActions: handleServerStreamingCall<unknown, unknown> = (call) => {
    try {
      relay.principalOf(authorization(call.metadata));
      for (const a of ACTIONS) call.write(create(ActionTypeSchema, a));
      call.end();
    } catch (e) {
      call.emit('error', toGrpcStatus(e));
    }
  };

  const refuseStream = (name: string): handleServerStreamingCall<unknown, unknown> => (call) => void call.emit('error', toGrpcStatus(unimplemented(name)));
  const refuseUnary = (name: string): handleUnaryCall<unknown, unknown> => (_call, callback) => callback(toGrpcStatus(unimplemented(name)));
  const DoExchange: handleBidiStreamingCall<unknown, unknown> = (call) => void call.emit('error', toGrpcStatus(unimplemented('DoExchange')));

  return {
    Handshake,
    ListFlights: refuseStream('ListFlights'),
    GetFlightInfo: refuseUnary('GetFlightInfo'),
    GetSchema: refuseUnary('GetSchema'),
    DoGet,
    DoPut,
    DoExchange,
    DoAction,
    ListActions,
  } as UntypedServiceImplementation;
}
