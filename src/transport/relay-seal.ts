import { DuetError } from '../errors';
import { plainBytes } from '../util/bytes';

// Seals what the hub relays between two peers (SDP, ICE candidates). The additional data
// binds sender and recipient, so the hub cannot replay a sealed payload to another peer.
// Nonces are random: a session relays a few dozen messages, far from GCM's 2^32 bound.

const NONCE_BYTES = 12;

function aad(from: string, to: string): Uint8Array<ArrayBuffer> {
  return plainBytes(new TextEncoder().encode(`duet/v1/relay ${from}>${to}`));
}

export async function sealRelay(key: CryptoKey, from: string, to: string, plaintext: Uint8Array): Promise<Uint8Array> {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad(from, to) }, key, plainBytes(plaintext)));
  const out = new Uint8Array(NONCE_BYTES + sealed.byteLength);
  out.set(nonce);
  out.set(sealed, NONCE_BYTES);
  return out;
}

export async function openRelay(key: CryptoKey, from: string, to: string, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.byteLength < NONCE_BYTES + 16) {
    throw new DuetError('INVALID_ARGUMENT', 'A relayed signalling message was too short to be sealed.', { reason: 'BAD_SEAL' });
  }
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: plainBytes(sealed.subarray(0, NONCE_BYTES)), additionalData: aad(from, to) },
      key,
      plainBytes(sealed.subarray(NONCE_BYTES)),
    );
    return new Uint8Array(plain);
  } catch (cause) {
    throw new DuetError('PERMISSION_DENIED', 'A relayed signalling message failed authentication: the sender does not hold this session code.', {
      reason: 'BAD_SEAL',
      cause,
    });
  }
}
