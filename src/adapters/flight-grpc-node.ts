import type { DescMessage, DescMethod } from '@bufbuild/protobuf';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { Metadata, status, type MethodDefinition, type ServiceDefinition, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { codeFromGrpcStatus, DuetError, grpcStatusOf, isErrorCode } from '../errors';
import { decodeFlightData } from '../transport/flight/flight-data-codec';
import { FlightDataSchema, FlightService, type FlightData } from '../wire/gen/arrow/flight/protocol/Flight_pb';

// The grpc-js service definition of arrow.flight.protocol.FlightService, built from the
// protobuf-es descriptors generated from the one Flight.proto: paths and streaming kinds come
// from the .proto, (de)serialisation is protobuf-es. Node only (grpc-js).

export const FLIGHT_SERVICE_NAME = FlightService.typeName;

/**
 * FlightData keeps its encoded bytes beside the decoded message, so a relay forwards the bytes
 * it received without re-encoding (no copy), and a malformed message becomes a typed error in
 * the handler instead of grpc-js's generic INTERNAL.
 */
export interface RawFlightData {
  raw: Uint8Array;
  data: FlightData | undefined;
  error: DuetError | undefined;
}

export function rawFlightData(raw: Uint8Array): RawFlightData {
  try {
    return { raw, data: decodeFlightData(raw), error: undefined };
  } catch (e) {
    return { raw, data: undefined, error: DuetError.from(e) };
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function codecOf(desc: DescMessage): { serialize: (v: unknown) => Buffer; deserialize: (b: Buffer) => unknown } {
  if (desc.typeName === FlightDataSchema.typeName) {
    return { serialize: (v) => asBuffer((v as RawFlightData).raw), deserialize: (b) => rawFlightData(b) };
  }
  return {
    serialize: (v) => asBuffer(toBinary(desc, v as never)),
    deserialize: (b) => fromBinary(desc, b),
  };
}

function definitionOf(method: DescMethod): MethodDefinition<unknown, unknown> {
  const req = codecOf(method.input);
  const res = codecOf(method.output);
  return {
    path: `/${FLIGHT_SERVICE_NAME}/${method.name}`,
    requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
    responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
    requestSerialize: req.serialize,
    requestDeserialize: req.deserialize,
    responseSerialize: res.serialize,
    responseDeserialize: res.deserialize,
  };
}

/** Keyed by the .proto method name (Handshake, DoGet, ...). */
export const flightServiceDefinition: ServiceDefinition = Object.fromEntries(FlightService.methods.map((m) => [m.name, definitionOf(m)]));

export const DUET_CODE_KEY = 'duet-code';
export const DUET_REASON_KEY = 'duet-reason';

/** A DuetError as a gRPC status: the numeric code from grpcStatusOf, code and reason in trailers. */
export function toGrpcStatus(e: unknown): Partial<StatusObject> {
  const err = DuetError.from(e);
  const metadata = new Metadata();
  metadata.set(DUET_CODE_KEY, err.code);
  if (err.reason !== undefined) metadata.set(DUET_REASON_KEY, err.reason);
  return { code: grpcStatusOf(err.code), details: err.message, metadata };
}

/** Back from a grpc-js error to a DuetError, keeping the reason the server sent. */
export function fromGrpcError(e: unknown): DuetError {
  const se = e as Partial<ServiceError>;
  if (typeof se?.code !== 'number') return DuetError.from(e);
  const sent = se.metadata?.get(DUET_CODE_KEY)[0];
  const reason = se.metadata?.get(DUET_REASON_KEY)[0];
  // A bare CANCELLED (no duet-code from our service) is grpc-js cutting the call off: the server
  // shutting down or the connection dropping. Callers that cancel themselves report CANCELLED.
  if (sent === undefined && se.code === status.CANCELLED) {
    return new DuetError('UNAVAILABLE', 'The Flight call was cut off: the server stopped or the connection dropped.', { reason: 'CALL_CUT', cause: e });
  }
  const code = typeof sent === 'string' && isErrorCode(sent) ? sent : se.code === status.OK ? 'UNKNOWN' : codeFromGrpcStatus(se.code);
  return new DuetError(code, se.details || se.message || 'Flight call failed', { reason: typeof reason === 'string' ? reason : undefined, cause: e });
}
