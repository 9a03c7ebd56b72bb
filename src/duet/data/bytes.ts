import { Gunzip } from 'fflate';
import { isDuetError } from '../../errors';
import { enforceLimit } from '../../limits';
import { parseError, type LoadLimits } from './options';

// fflate: small, pure JS, the same in browsers and Node, and it streams, so a gzip bomb is
// stopped when the output passes the limit instead of after it has filled memory.
// (DecompressionStream is async-only and not in every runtime we test on.)

/** @internal Input fed to the inflater per step. */
export const GUNZIP_STEP_BYTES = 1024;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Returns the bytes, gunzipped when they start with the gzip magic; checks MAX_FILE_BYTES either way. */
export function maybeGunzip(bytes: Uint8Array, file: string, limits: LoadLimits): Uint8Array {
  enforceLimit('MAX_FILE_BYTES', bytes.byteLength, limits.maxFileBytes, `The size of ${file}`);
  if (!isGzip(bytes)) return bytes;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const gz = new Gunzip((chunk, final) => {
    total += chunk.byteLength;
    enforceLimit('MAX_FILE_BYTES', total, limits.maxFileBytes, `The uncompressed size of ${file}`);
    chunks.push(chunk);
    if (final) done = true;
  });
  // Deflate expands at most ~1032x, so feeding 1 KiB at a time bounds each step's output near
  // 1 MiB and the size check runs before a huge output exists.
  const STEP = GUNZIP_STEP_BYTES;
  try {
    for (let i = 0; i < bytes.length; i += STEP) gz.push(bytes.subarray(i, i + STEP), i + STEP >= bytes.length);
  } catch (e) {
    if (isDuetError(e)) throw e;
    throw parseError(file, `the gzip data is corrupt (${e instanceof Error ? e.message : String(e)}).`, {}, e);
  }
  if (!done) throw parseError(file, 'the gzip data ends early (truncated file?).');
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** UTF-8 text, strictly: a binary file given as CSV fails here with a clear message. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text;
  } catch (e) {
    throw parseError(file, 'it is not UTF-8 text (is it a binary file?).', {}, e);
  }
}
