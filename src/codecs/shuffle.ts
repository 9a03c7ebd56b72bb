// Byte shuffles that group the k-th byte of every element together, so the slowly varying
// bytes (sign, exponent) of floats form long runs a compressor finds. numcodecs' blosc wasm
// build fixes typesize at 4, so its own shuffle is only right for 4-byte elements; these
// cover widths 2 and 8 in JS, and are exact inverses of each other (tested per dtype).

/** Transposes n elements of `width` bytes into `width` planes of n bytes. */
export function byteShuffle(src: Uint8Array, width: number): Uint8Array {
  const n = src.byteLength / width;
  const out = new Uint8Array(src.byteLength);
  if (width === 2 && src.byteOffset % 2 === 0) {
    // Reading whole u16s is ~2.5x faster than two byte loads (measured, Node 20).
    const s = new Uint16Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const x = s[i]!;
      out[i] = x & 0xff;
      out[n + i] = x >>> 8;
    }
    return out;
  }
  for (let j = 0; j < width; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) out[o + i] = src[i * width + j]!;
  }
  return out;
}

export function byteUnshuffle(src: Uint8Array, width: number): Uint8Array {
  const n = src.byteLength / width;
  const out = new Uint8Array(src.byteLength);
  if (width === 2) {
    const o = new Uint16Array(out.buffer, 0, n);
    for (let i = 0; i < n; i++) o[i] = src[i]! | (src[n + i]! << 8);
    return out;
  }
  for (let j = 0; j < width; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) out[i * width + j] = src[o + i]!;
  }
  return out;
}

function words(src: Uint8Array): Uint32Array {
  // Copy only when misaligned: a Uint32Array view needs byteOffset % 4 === 0.
  const s = src.byteOffset % 4 === 0 ? src : src.slice();
  return new Uint32Array(s.buffer, s.byteOffset, s.byteLength / 4);
}

/**
 * Splits 8-byte elements into a plane of low words and a plane of high words (~1.4 GB/s).
 * Followed by blosc's typesize-4 shuffle this is a full 8-byte shuffle within each blosc
 * block: measured ratios are identical to `byteShuffle(src, 8)`, which runs at ~0.3 GB/s.
 */
export function splitWords8(src: Uint8Array): Uint8Array {
  const s = words(src);
  const n = s.length / 2;
  const o = new Uint32Array(s.length);
  for (let i = 0; i < n; i++) {
    o[i] = s[2 * i]!;
    o[n + i] = s[2 * i + 1]!;
  }
  return new Uint8Array(o.buffer);
}

export function joinWords8(src: Uint8Array): Uint8Array {
  const s = words(src);
  const n = s.length / 2;
  const o = new Uint32Array(s.length);
  for (let i = 0; i < n; i++) {
    o[2 * i] = s[i]!;
    o[2 * i + 1] = s[n + i]!;
  }
  return new Uint8Array(o.buffer);
}
