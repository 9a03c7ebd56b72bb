import { createCipheriv, createDecipheriv, hkdfSync, KeyObject } from 'node:crypto';
import { SEAL_TAG_BYTES } from '../transport/constants';
import type { SealCrypto } from '../transport/seal';

// The seal's HKDF and AES-256-GCM on node:crypto, inline: the same bytes WebCrypto writes (the
// tag appended), without a thread-pool round trip per message. The session key stays a
// non-extractable CryptoKey; KeyObject.from reads it inside Node, and only the transfer key,
// which HKDF gives as bytes, lives in JS memory for the transfer.

const GCM = 'aes-256-gcm';

export const nodeSealCrypto: SealCrypto = {
  async transferCipher(key, salt, info) {
    const aes = new Uint8Array(hkdfSync('sha256', KeyObject.from(key), salt, info, 32));
    return {
      encrypt(nonce, aad, plain) {
        const c = createCipheriv(GCM, aes, nonce, { authTagLength: SEAL_TAG_BYTES }).setAAD(aad);
        const head = c.update(plain);
        const tail = c.final();
        const tag = c.getAuthTag();
        const out = new Uint8Array(head.byteLength + tail.byteLength + tag.byteLength);
        out.set(head);
        out.set(tail, head.byteLength);
        out.set(tag, head.byteLength + tail.byteLength);
        return out;
      },
      decrypt(nonce, aad, sealed) {
        const body = sealed.byteLength - SEAL_TAG_BYTES;
        const d = createDecipheriv(GCM, aes, nonce, { authTagLength: SEAL_TAG_BYTES }).setAAD(aad);
        d.setAuthTag(sealed.subarray(body));
        const head = d.update(sealed.subarray(0, body));
        const tail = d.final(); // throws when the tag does not verify
        // A Buffer of its own is handed on as is; a small one is a slice of Node's shared pool,
        // copied out so that what we return owns its memory from offset 0, as WebCrypto's does.
        if (tail.byteLength === 0 && head.byteOffset === 0 && head.buffer.byteLength === head.byteLength) return new Uint8Array(head.buffer);
        const out = new Uint8Array(head.byteLength + tail.byteLength);
        out.set(head);
        out.set(tail, head.byteLength);
        return out;
      },
    };
  },
};
