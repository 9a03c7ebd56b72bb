import { concatBytes } from '../util/bytes';
import { DuetError } from '../errors';
import {
  SEAL_LABEL,
  SEAL_MAX_MESSAGES,
  SEAL_NONCE_BYTES,
  SEAL_NONCE_PREFIX_BYTES,
  SEAL_SALT_BYTES,
  SEAL_TAG_BYTES,
} from './constants';

// End-to-end sealing of tensor transfers that cross the hub. WebCrypto only (globalThis.crypto),
// so the same code runs in Node 20 and in browsers.
//
// Keys: each peer makes an ECDH P-256 key pair and sends its public key over the DTLS-protected
// control channel; both derive the same secret and import it as an HKDF key (`SealKey`).
// Each transfer draws a random salt and derives its own AES-256-GCM key from it, so two
// transfers never share a key. Within a transfer the nonce is a random 4-byte prefix plus a
// 64-bit counter that only goes up, so a nonce is never reused. The AAD binds the label, the
// transfer id (e.g. the ticket), the message index and a "final" flag: reordering, replay from
// another transfer, or truncation after a message that was not the last all fail to open.

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const text = new TextEncoder();

export type SealKey = CryptoKey;

/** Public values a sealed stream sends first, in the clear, so the receiver can open it. */
export interface SealHeader {
  salt: Uint8Array;
  noncePrefix: Uint8Array;
}

export async function generateSealKeyPair(): Promise<CryptoKeyPair> {
  // The private key is not extractable: it never leaves WebCrypto.
  return subtle().generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']) as Promise<CryptoKeyPair>;
}

/** The 65-byte uncompressed public point, for the control channel. */
export async function exportSealPublicKey(pair: CryptoKeyPair): Promise<Uint8Array> {
  return new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
}

/** Both peers call this with their own pair and the other's public key; both get the same SealKey. */
export async function deriveSealKey(own: CryptoKeyPair, peerPublicKey: Uint8Array): Promise<SealKey> {
  let peer: CryptoKey;
  try {
    peer = await subtle().importKey('raw', peerPublicKey as BufferSource, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  } catch (e) {
    throw new DuetError('INVALID_ARGUMENT', 'The peer public key is not a P-256 point.', { reason: 'BAD_PUBLIC_KEY', cause: e });
  }
  const secret = await subtle().deriveBits({ name: 'ECDH', public: peer }, own.privateKey, 256);
  return subtle().importKey('raw', secret, 'HKDF', false, ['deriveKey']);
}

/** AES-256-GCM under one transfer's key: ciphertext with its 16-byte tag appended, as WebCrypto writes it. */
export interface TransferCipher {
  encrypt(nonce: Uint8Array, aad: Uint8Array, plain: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Throws (any error) when the tag does not verify. */
  decrypt(nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/**
 * Where the per-transfer HKDF and AES-GCM run. Both suites write the same bytes, so peers on
 * different runtimes interoperate. WebCrypto is the default and the browser's; Node peers use
 * node:crypto (adapters/seal-node.ts) through their Flight client: there WebCrypto's every
 * call is a thread-pool round trip, ~0.1 ms each and ms-long in the tail, eight of them for the
 * smallest transfer, where node:crypto does the same work inline in microseconds.
 */
export interface SealCrypto {
  transferCipher(key: SealKey, salt: Uint8Array, info: Uint8Array): Promise<TransferCipher>;
}

export const webSealCrypto: SealCrypto = {
  async transferCipher(key, salt, info) {
    const aes = await subtle().deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: salt as BufferSource, info: info as BufferSource }, key, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => ({ name: 'AES-GCM', iv: nonce as BufferSource, additionalData: aad as BufferSource, tagLength: SEAL_TAG_BYTES * 8 });
    return {
      encrypt: async (nonce, aad, plain) => new Uint8Array(await subtle().encrypt(params(nonce, aad), aes, plain as BufferSource)),
      decrypt: async (nonce, aad, sealed) => new Uint8Array(await subtle().decrypt(params(nonce, aad), aes, sealed as BufferSource)),
    };
  },
};

function transferCipher(suite: SealCrypto, key: SealKey, salt: Uint8Array, transferId: Uint8Array): Promise<TransferCipher> {
  return suite.transferCipher(key, salt, concatBytes([text.encode(SEAL_LABEL), transferId]));
}

function nonceOf(prefix: Uint8Array, counter: number): Uint8Array {
  const nonce = new Uint8Array(SEAL_NONCE_BYTES);
  nonce.set(prefix, 0);
  new DataView(nonce.buffer).setBigUint64(SEAL_NONCE_PREFIX_BYTES, BigInt(counter));
  return nonce;
}

function aadOf(transferId: Uint8Array, counter: number, final: boolean): Uint8Array {
  const tail = new Uint8Array(9);
  new DataView(tail.buffer).setBigUint64(0, BigInt(counter));
  tail[8] = final ? 1 : 0;
  return concatBytes([text.encode(SEAL_LABEL), transferId, tail]);
}

export interface Sealer {
  readonly header: SealHeader;
  /** Seals the next message; `final` marks the last one so truncation is detected. */
  seal(plain: Uint8Array, final?: boolean): Promise<Uint8Array>;
}

export interface Opener {
  /** Opens the next message in order; any change, reordering or splice fails with DATA_LOSS. */
  open(sealed: Uint8Array, final?: boolean): Promise<Uint8Array>;
  /** Call at the end of the stream: fails unless a final message was opened. */
  finish(): void;
}

export async function createSealer(key: SealKey, transferId: Uint8Array, suite: SealCrypto = webSealCrypto): Promise<Sealer> {
  const header: SealHeader = {
    salt: globalThis.crypto.getRandomValues(new Uint8Array(SEAL_SALT_BYTES)),
    noncePrefix: globalThis.crypto.getRandomValues(new Uint8Array(SEAL_NONCE_PREFIX_BYTES)),
  };
  const cipher = await transferCipher(suite, key, header.salt, transferId);
  let counter = 0;
  let closed = false;
  return {
    header,
    async seal(plain, final = false) {
      if (closed) throw new DuetError('FAILED_PRECONDITION', 'This sealed stream already sent its final message.', { reason: 'SEAL_CLOSED' });
      if (counter >= SEAL_MAX_MESSAGES) throw new DuetError('RESOURCE_EXHAUSTED', `A sealed transfer may hold at most SEAL_MAX_MESSAGES=${SEAL_MAX_MESSAGES} messages.`, { reason: 'LIMIT_EXCEEDED' });
      const n = counter++;
      closed = final;
      return cipher.encrypt(nonceOf(header.noncePrefix, n), aadOf(transferId, n, final), plain);
    },
  };
}

export async function createOpener(key: SealKey, transferId: Uint8Array, header: SealHeader, suite: SealCrypto = webSealCrypto): Promise<Opener> {
  if (header.salt.byteLength !== SEAL_SALT_BYTES || header.noncePrefix.byteLength !== SEAL_NONCE_PREFIX_BYTES) {
    throw new DuetError('INVALID_ARGUMENT', 'Bad seal header.', { reason: 'BAD_SEAL_HEADER' });
  }
  const cipher = await transferCipher(suite, key, header.salt, transferId);
  let counter = 0;
  let done = false;
  return {
    async open(sealed, final = false) {
      if (done) throw new DuetError('DATA_LOSS', 'A sealed message arrived after the final one.', { reason: 'SEAL_EXTRA' });
      const n = counter++;
      try {
        if (sealed.byteLength < SEAL_TAG_BYTES) throw new Error('shorter than its tag');
        const out = await cipher.decrypt(nonceOf(header.noncePrefix, n), aadOf(transferId, n, final), sealed);
        done = final;
        return out;
      } catch (e) {
        throw new DuetError('DATA_LOSS', `Sealed message ${n} failed authentication: it was changed, reordered, or sealed with another key.`, {
          reason: 'SEAL_AUTH_FAILED',
          cause: e,
        });
      }
    },
    finish() {
      if (!done) throw new DuetError('DATA_LOSS', `The sealed stream ended after ${counter} messages without its final one.`, { reason: 'TRUNCATED' });
    },
  };
}
