import { DuetError } from '../errors';

// Reads the decoded size an .xz file declares, from the index at the end of each stream,
// without decompressing: the xz codec's "frame header". liblzma later checks that the
// blocks match the index, so a lying index ends in DATA_LOSS, and the decoder's hard cap
// (the declared size) means it can never make us write more than it declared.
// Format: https://tukaani.org/xz/xz-file-format.txt (stream footer, index, stream padding).

const HEADER_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] as const;
const FOOTER_MAGIC = [0x59, 0x5a] as const; // "YZ"
const STREAM_HEADER_BYTES = 12;
const STREAM_FOOTER_BYTES = 12;

function truncated(what: string): DuetError {
  return new DuetError('DATA_LOSS', `The xz data is truncated or corrupt: ${what}.`, { reason: 'TRUNCATED' });
}

export function looksLikeXz(bytes: Uint8Array): boolean {
  return bytes.byteLength >= HEADER_MAGIC.length && HEADER_MAGIC.every((b, i) => bytes[i] === b);
}

/** Reads a multibyte integer (7 bits a byte, low first, at most 9 bytes) at `pos`. */
function varint(bytes: Uint8Array, pos: number, end: number): [value: number, next: number] {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (pos + i >= end) throw truncated('an index number runs past the index');
    const b = bytes[pos + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (!Number.isSafeInteger(value)) throw truncated('an index number is too large');
      return [value, pos + i + 1];
    }
  }
  throw truncated('an index number is longer than 9 bytes');
}

/** The total uncompressed size the file's stream indexes declare (streams may be concatenated). */
export function xzDeclaredSize(bytes: Uint8Array): number {
  if (!looksLikeXz(bytes)) {
    throw new DuetError('INVALID_ARGUMENT', 'Not an xz file: the stream header magic is missing.', { reason: 'NOT_A_FRAME' });
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = bytes.byteLength;
  let total = 0;
  while (pos > 0) {
    // Stream padding: whole 4-byte groups of zeros after a stream.
    while (pos >= 4 && v.getUint32(pos - 4, true) === 0) pos -= 4;
    if (pos < STREAM_HEADER_BYTES + STREAM_FOOTER_BYTES) throw truncated('no complete stream footer');
    const footer = pos - STREAM_FOOTER_BYTES;
    if (bytes[pos - 2] !== FOOTER_MAGIC[0] || bytes[pos - 1] !== FOOTER_MAGIC[1]) throw truncated('the stream footer magic is missing');
    const indexBytes = (v.getUint32(footer + 4, true) + 1) * 4;
    const indexStart = footer - indexBytes;
    if (indexStart < STREAM_HEADER_BYTES) throw truncated('the index points before the stream');
    if (bytes[indexStart] !== 0) throw truncated('the index indicator is missing');
    const indexEnd = footer - 4; // the index CRC32
    let [records, p] = varint(bytes, indexStart + 1, indexEnd);
    let blocks = 0;
    for (; records > 0; records--) {
      let unpadded: number;
      let uncompressed: number;
      [unpadded, p] = varint(bytes, p, indexEnd);
      [uncompressed, p] = varint(bytes, p, indexEnd);
      blocks += Math.ceil(unpadded / 4) * 4;
      total += uncompressed;
      if (!Number.isSafeInteger(total)) throw truncated('the declared size is too large');
    }
    const streamStart = indexStart - blocks - STREAM_HEADER_BYTES;
    if (streamStart < 0 || !HEADER_MAGIC.every((b, i) => bytes[streamStart + i] === b)) throw truncated('a stream header is missing');
    pos = streamStart;
  }
  return total;
}
