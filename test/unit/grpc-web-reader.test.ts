import { describe, expect, it } from 'vitest';
import { GrpcWebReader, type GrpcWebItem } from '../../src/transport/flight/grpc-web-reader';
import { grpcWebFrame, grpcWebTrailer } from '../../src/transport/flight/grpc-web';
import { DuetError } from '../../src/errors';
import { sameBytes } from '../helpers/bytes';

function body(messages: Uint8Array[], error?: DuetError): Uint8Array {
  return Buffer.concat([...messages.map((m) => grpcWebFrame(m)), grpcWebTrailer(error)]);
}

function readInChunks(bytes: Uint8Array, cuts: number[]): GrpcWebItem[] {
  const r = new GrpcWebReader();
  const items: GrpcWebItem[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.byteLength]) {
    items.push(...r.push(bytes.subarray(at, cut)));
    at = cut;
  }
  r.end();
  return items;
}

describe('streamed gRPC-web responses', () => {
  it('FL16: messages come out whole and in order, whatever the network chunking', () => {
    const messages = [new Uint8Array(0), new Uint8Array(3).fill(1), new Uint8Array(100_000).map((_, i) => i), new Uint8Array(7).fill(9)];
    const b = body(messages);
    let seed = 7;
    for (let trial = 0; trial < 200; trial++) {
      const cuts = new Set<number>();
      const n = trial % 20;
      for (let i = 0; i < n; i++) cuts.add(((seed = (seed * 1103515245 + 12345) >>> 0) % b.byteLength));
      const items = readInChunks(b, [...cuts].sort((x, y) => x - y));
      const got = items.flatMap((i) => ('message' in i ? [i.message] : []));
      expect(got.length).toBe(messages.length);
      got.forEach((m, k) => expect(sameBytes(m, messages[k]!)).toBe(true));
      expect(items.at(-1)).toEqual({ status: undefined });
    }
  });

  it('FL16: an error trailer becomes the DuetError it names; a body without trailer is TRUNCATED', () => {
    const items = readInChunks(body([new Uint8Array(5)], new DuetError('NOT_FOUND', 'no ticket', { reason: 'UNKNOWN_TICKET' })), [3, 11]);
    const status = items.at(-1);
    expect(status && 'status' in status && status.status?.reason).toBe('UNKNOWN_TICKET');
    const r = new GrpcWebReader();
    [...r.push(grpcWebFrame(new Uint8Array(10)).subarray(0, 8))];
    expect(() => r.end()).toThrowError(/without its status/);
  });
});
