import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { FlightFrame } from '../../arrow';
import { DuetError } from '../../errors';
import {
  FlightDataSchema,
  FlightDescriptor_DescriptorType,
  FlightDescriptorSchema,
  type FlightData,
} from '../../wire/gen/arrow/flight/protocol/Flight_pb';

// FlightData <-> bytes with the generated protobuf-es types (the .proto is the one source).
// fromBinary gives `bytes` fields as subarrays of the input, so decoding does not copy bodies.

export function flightDataOf(frame: FlightFrame, ticket?: Uint8Array): FlightData {
  return create(FlightDataSchema, {
    dataHeader: frame.dataHeader,
    dataBody: frame.dataBody,
    appMetadata: frame.appMetadata,
    flightDescriptor: ticket === undefined ? undefined : create(FlightDescriptorSchema, { type: FlightDescriptor_DescriptorType.CMD, cmd: ticket }),
  });
}

/** Encodes a frame; `ticket` goes into the descriptor of a DoPut stream's first message. */
export function encodeFlightData(frame: FlightFrame, ticket?: Uint8Array): Uint8Array {
  return toBinary(FlightDataSchema, flightDataOf(frame, ticket));
}

export function decodeFlightData(bytes: Uint8Array): FlightData {
  try {
    return fromBinary(FlightDataSchema, bytes);
  } catch (e) {
    throw new DuetError('INVALID_ARGUMENT', 'Malformed FlightData: not a FlightData protobuf message.', { reason: 'MALFORMED_FLIGHT_DATA', cause: e });
  }
}

export function frameOf(data: FlightData): FlightFrame {
  return { dataHeader: data.dataHeader, dataBody: data.dataBody, appMetadata: data.appMetadata };
}

/** The ticket a DoPut names in its first message's descriptor (CMD = the raw ticket bytes). */
export function ticketOfDescriptor(data: FlightData): Uint8Array | undefined {
  const d = data.flightDescriptor;
  if (d === undefined || d.type !== FlightDescriptor_DescriptorType.CMD || d.cmd.byteLength === 0) return undefined;
  return d.cmd;
}
