import { createXXHash128 } from 'hash-wasm';

// xxh128 from hash-wasm: a well-kept wasm build, ~GB/s, runs the same in browsers and Node.
// It detects corruption, not tampering; tampering is AES-GCM's job on paths that cross the hub.

export const HASH_ALGORITHM = 'xxh128';

export interface Hasher {
  update(bytes: Uint8Array): void;
  digest(): string;
}

export async function createHasher(): Promise<Hasher> {
  const h = await createXXHash128();
  h.init();
  return {
    update: (bytes) => void h.update(bytes),
    digest: () => h.digest('hex'),
  };
}

export async function hashBytes(...parts: Uint8Array[]): Promise<string> {
  const h = await createHasher();
  for (const p of parts) h.update(p);
  return h.digest();
}
