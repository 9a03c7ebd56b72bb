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

/** The plain protobuf-es encoding; encodeFlightData must equal it byte for byte (tested). */
export function encodeFlightDataGeneric(frame: FlightFrame, ticket?: Uint8Array): Uint8Array {
  return toBinary(FlightDataSchema, flightDataOf(frame, ticket));
}

const TAG_DESCRIPTOR = 0x0a; // field 1, length-delimited
const TAG_HEADER = 0x12; // field 2
const TAG_APP_METADATA = 0x1a; // field 3
const TAG_BODY = [0xc2, 0x3e]; // field 1000, length-delimited: varint(1000 << 3 | 2)

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/**
 * Encodes a frame; `ticket` goes into the descriptor of a DoPut stream's first message.
 * The hot path of every transfer: it writes the fields straight into one buffer (one copy of
 * the body), where protobuf-es's generic writer costs about twice that on multi-MB bodies.
 * Field order and omission of empty fields match protobuf-es exactly.
 */
export function encodeFlightData(frame: FlightFrame, ticket?: Uint8Array): Uint8Array {
  const descriptor = ticket === undefined ? undefined : toBinary(FlightDescriptorSchema, flightDataOf(frame, ticket).flightDescriptor!);
  const field = (len: number, tagBytes: number) => (len === 0 ? 0 : tagBytes + varintSize(len) + len);
  const descLen = descriptor === undefined ? 0 : 1 + varintSize(descriptor.byteLength) + descriptor.byteLength;
  const total =
    descLen + field(frame.dataHeader.byteLength, 1) + field(frame.appMetadata.byteLength, 1) + field(frame.dataBody.byteLength, TAG_BODY.length);
  const out = new Uint8Array(total);
  let at = 0;
  const put = (tag: readonly number[], bytes: Uint8Array, always = false) => {
    if (bytes.byteLength === 0 && !always) return;
    for (const b of tag) out[at++] = b;
    at = writeVarint(out, at, bytes.byteLength);
    out.set(bytes, at);
    at += bytes.byteLength;
  };
  if (descriptor !== undefined) put([TAG_DESCRIPTOR], descriptor, true);
  put([TAG_HEADER], frame.dataHeader);
  put([TAG_APP_METADATA], frame.appMetadata);
  put(TAG_BODY, frame.dataBody);
  return out;
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
