import { DuetError } from '../errors';

// Session codes are made in the owner's tab, never by the hub. A person reads one out,
// so it uses Crockford base32 (no I, L, O, U) and forgives case, dashes and look-alikes.
// 10 symbols x 5 bits = 50 bits of entropy (the foundation issue asks for at least 40).
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 10;
export const CODE_ENTROPY_BITS = CODE_LENGTH * 5;

// The hub gets only `lookup`, derived with a slow KDF, so that even a hub that keeps every
// lookup cannot brute-force the 50-bit code offline cheaply (2^50 x 150k SHA-256 rounds).
// The same derivation yields the key that seals relayed signalling (SDP and ICE).
export const CODE_KDF_ITERATIONS = 150_000;
const CODE_KDF_SALT = new TextEncoder().encode('duet/v1/session-code');

export function generateCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b & 31]; // 256 is a multiple of 32: no modulo bias
  return out;
}

/** Formats for reading out: "ABCDE-FGHJK". */
export function formatCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Accepts what a person types; returns the canonical code or throws INVALID_ARGUMENT. */
export function normalizeCode(input: string): string {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned.length !== CODE_LENGTH || [...cleaned].some((c) => !CODE_ALPHABET.includes(c))) {
    throw new DuetError(
      'INVALID_ARGUMENT',
      `"${input}" is not a session code. A code has ${CODE_LENGTH} letters and digits, like ${formatCode('7K3MQ-PX9T2')}.`,
      { reason: 'BAD_CODE' },
    );
  }
  return cleaned;
}

export interface CodeSecrets {
  /** 32 bytes the hub indexes the session by. */
  lookup: Uint8Array;
  /** AES-GCM key for payloads relayed through the hub. */
  key: CryptoKey;
}

export async function deriveCodeSecrets(code: string, iterations = CODE_KDF_ITERATIONS): Promise<CodeSecrets> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(normalizeCode(code)), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: CODE_KDF_SALT, iterations }, material, 512));
  const key = await crypto.subtle.importKey('raw', bits.slice(32), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { lookup: bits.slice(0, 32), key };
}
