import { describe, expect, it } from 'vitest';
import { ChunkDeduper, cutPacket, DEDUP_CHUNKS_PER_PACKET, DEDUP_PACKET_BYTES } from '../../src/codecs/dedup';
import { prng } from '../helpers/payloads';

function randomBytes(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

describe('chunk dedup measurement', () => {
  it('DD1: a packet is cut into a constant number of chunks whatever its size', () => {
    for (const size of [1000, 50_000, DEDUP_PACKET_BYTES]) {
      const cuts = cutPacket(randomBytes(size, size), DEDUP_CHUNKS_PER_PACKET, 64);
      expect(cuts.length).toBe(DEDUP_CHUNKS_PER_PACKET);
      expect(cuts[cuts.length - 1]).toBe(size);
      for (let i = 1; i < cuts.length; i++) expect(cuts[i]!).toBeGreaterThan(cuts[i - 1]!);
    }
  });

  it('DD1: cuts are content-defined: shifted content keeps its cuts', () => {
    const a = randomBytes(64 * 1024, 1);
    const shifted = new Uint8Array(a.byteLength + 3);
    shifted.set(a, 3);
    const ca = new Set(cutPacket(a, 16, 64).slice(0, -1));
    const cb = cutPacket(shifted, 16, 64).slice(0, -1).map((c) => c - 3);
    expect(cb.filter((c) => ca.has(c)).length).toBeGreaterThan(12);
  });

  it('DD1: with align set, every cut falls on an element boundary', () => {
    for (const cut of cutPacket(randomBytes(50_000, 3), 64, 64, false, 8)) expect(cut % 8 === 0 || cut === 50_000).toBe(true);
  });

  it('DD2: a payload sent again is all references; random data has no duplicates', async () => {
    const d = new ChunkDeduper();
    const data = randomBytes(600_000, 7);
    const first = await d.measure(data);
    expect(first.duplicateChunks).toBe(0);
    expect(first.wireBytes).toBe(600_000);
    const again = await d.measure(data);
    expect(again.duplicateBytes).toBe(600_000);
    expect(again.wireBytes).toBe(again.chunks * 8);
    expect(again.unique.byteLength).toBe(0);
  });
});
