import { describe, expect, it } from 'vitest';
import { encodeTensor } from '../../src/arrow';
import { decodeFlightData, encodeFlightData, encodeFlightDataGeneric, frameOf, ticketOfDescriptor } from '../../src/transport/flight/flight-data-codec';
import { sampleTensor } from '../helpers/tensors';

describe('FlightData codec', () => {
  it('FL2: the fast encoder is byte-identical to protobuf-es, with and without a ticket', async () => {
    const { frames } = await encodeTensor(sampleTensor('float64', [300]), { batchBytes: 1024 });
    const extra = [
      { dataHeader: new Uint8Array(0), dataBody: new Uint8Array(0), appMetadata: new Uint8Array(0) },
      { dataHeader: new Uint8Array(200).fill(3), dataBody: new Uint8Array(20_000).fill(1), appMetadata: new Uint8Array([1, 2]) },
    ];
    const ticket = new Uint8Array(16).fill(0xab);
    for (const f of [...frames, ...extra]) {
      expect(encodeFlightData(f)).toEqual(encodeFlightDataGeneric(f));
      expect(encodeFlightData(f, ticket)).toEqual(encodeFlightDataGeneric(f, ticket));
      const back = decodeFlightData(encodeFlightData(f, ticket));
      expect(frameOf(back)).toEqual(f);
      expect(ticketOfDescriptor(back)).toEqual(ticket);
    }
  });

  it('FL14: bytes that are not FlightData are INVALID_ARGUMENT', () => {
    expect(() => decodeFlightData(new Uint8Array([0xff, 0xff, 0xff]))).toThrowError(/Malformed FlightData/);
  });
});
