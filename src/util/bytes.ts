/**
 * WebCrypto takes only ArrayBuffer-backed views. Protobuf and Node Buffers hand us
 * ArrayBufferLike views, which are ArrayBuffers in practice; copy only if one is shared.
 */
export function plainBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return view.buffer instanceof ArrayBuffer ? (view as Uint8Array<ArrayBuffer>) : new Uint8Array(view);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function randomId(bytes = 8): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
