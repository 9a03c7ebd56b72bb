import { createXXHash64, type IHasher } from 'hash-wasm';

// A measurement tool, not a codec on the wire: how much chunk-level deduplication would
// save on our payloads. It follows the reference work's idea (the GSoC 2021 Duet report,
// after Yoon, "A constant-time chunking algorithm for packet-level deduplication", ICT
// Express 2019): every packet is cut into a fixed number of chunks whatever its size, each
// cut placed by content within a small fixed window around its nominal position, so the
// work per packet is constant; chunks are fingerprinted (xxh64) and a chunk seen before
// would be sent as a reference. See docs/codecs.md "Deduplication" for what it measured.

/** A DataChannel message is at most 256 KiB, so that is our "packet". */
export const DEDUP_PACKET_BYTES = 256 * 1024;
/** Chunks per packet (the paper's constant); 64 gives 4 KiB chunks in full packets. */
export const DEDUP_CHUNKS_PER_PACKET = 64;
/** Bytes examined around each nominal cut: the constant search that makes cuts content-defined. */
export const DEDUP_SEARCH_BYTES = 64;
/** A reference to a known chunk costs its 8-byte fingerprint on the wire. */
export const DEDUP_REFERENCE_BYTES = 8;

export interface DedupReport {
  bytes: number;
  chunks: number;
  duplicateChunks: number;
  duplicateBytes: number;
  /** Bytes on the wire: unique chunks plus one reference per duplicate. */
  wireBytes: number;
  /** 1 - wireBytes / bytes. */
  saved: number;
  /** The unique chunks, concatenated: what a compressor would still see. */
  unique: Uint8Array;
}

export interface DedupOptions {
  packetBytes?: number;
  chunksPerPacket?: number;
  searchBytes?: number;
  /** Fixed-size chunks (no content-defined search): the baseline. */
  fixed?: boolean;
  /** Cuts fall on multiples of this (a tensor's element width), so chunks hold whole elements. */
  align?: number;
}

/** Cut points (exclusive ends) of one packet, content-defined within a constant search window. */
export function cutPacket(packet: Uint8Array, chunks: number, search: number, fixed = false, align = 1): number[] {
  const cuts: number[] = [];
  const n = packet.byteLength;
  for (let j = 1; j < chunks; j++) {
    const nominal = Math.floor((j * n) / chunks / align) * align;
    if (fixed) {
      cuts.push(nominal);
      continue;
    }
    // The cut goes after the largest 2-byte value in the window: shifted content moves the cut with it.
    const lo = Math.max(cuts[cuts.length - 1] ?? 0, nominal - (search >> 1));
    const hi = Math.min(n - 1, nominal + (search >> 1));
    let best = lo;
    let bestValue = -1;
    for (let i = lo; i < hi; i++) {
      const value = (packet[i]! << 8) | packet[i + 1]!;
      if (value > bestValue) [best, bestValue] = [i, value];
    }
    cuts.push(Math.floor((best + 1) / align) * align);
  }
  cuts.push(n);
  return cuts;
}

export class ChunkDeduper {
  private readonly seen = new Set<string>();
  private hasher: Promise<IHasher> | undefined;

  constructor(private readonly options: DedupOptions = {}) {}

  /** Chunks `bytes`, counts chunks already seen (in this payload or an earlier one), remembers the rest. */
  async measure(bytes: Uint8Array): Promise<DedupReport> {
    this.hasher ??= createXXHash64();
    const h = await this.hasher;
    const packetBytes = this.options.packetBytes ?? DEDUP_PACKET_BYTES; // a multiple of every element width
    const perPacket = this.options.chunksPerPacket ?? DEDUP_CHUNKS_PER_PACKET;
    const search = this.options.searchBytes ?? DEDUP_SEARCH_BYTES;
    const uniqueParts: Uint8Array[] = [];
    let chunks = 0;
    let duplicateChunks = 0;
    let duplicateBytes = 0;
    for (let p = 0; p < bytes.byteLength; p += packetBytes) {
      const packet = bytes.subarray(p, p + packetBytes);
      let start = 0;
      for (const end of cutPacket(packet, perPacket, search, this.options.fixed, this.options.align)) {
        if (end <= start) continue;
        const chunk = packet.subarray(start, end);
        start = end;
        chunks++;
        h.init();
        h.update(chunk);
        const fp = h.digest('hex');
        if (this.seen.has(fp)) {
          duplicateChunks++;
          duplicateBytes += chunk.byteLength;
        } else {
          this.seen.add(fp);
          uniqueParts.push(chunk);
        }
      }
    }
    const uniqueBytes = bytes.byteLength - duplicateBytes;
    const unique = new Uint8Array(uniqueBytes);
    let at = 0;
    for (const part of uniqueParts) {
      unique.set(part, at);
      at += part.byteLength;
    }
    const wireBytes = uniqueBytes + duplicateChunks * DEDUP_REFERENCE_BYTES;
    return { bytes: bytes.byteLength, chunks, duplicateChunks, duplicateBytes, wireBytes, saved: bytes.byteLength === 0 ? 0 : 1 - wireBytes / bytes.byteLength, unique };
  }
}
