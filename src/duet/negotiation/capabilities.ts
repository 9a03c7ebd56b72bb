import { CODEC_ID_PATTERN, type CodecRegistry } from '../../codecs';
import { CODEC_CAPABILITY_PREFIX } from './constants';

// Which codecs each side can decode travels in PeerHello.capabilities as `codec:<id>`, so a
// sender never picks a codec its receiver lacks (a browser without xz is never sent xz).

/** This side's capability strings: one `codec:<id>` per codec it decodes. */
export function codecCapabilities(registry: CodecRegistry | undefined): string[] {
  return (registry?.ids() ?? []).map((id) => `${CODEC_CAPABILITY_PREFIX}${id}`);
}

/**
 * The codec ids a peer decodes, from its capability strings. `none` needs no decoder, so
 * every peer has it, including one that announces nothing (an older or plainer client).
 * Malformed entries are skipped: a capability list is advice, never a reason to fail.
 */
export function peerDecodes(capabilities: readonly string[]): string[] {
  const ids = new Set(['none']);
  for (const c of capabilities) {
    if (!c.startsWith(CODEC_CAPABILITY_PREFIX)) continue;
    const id = c.slice(CODEC_CAPABILITY_PREFIX.length);
    if (CODEC_ID_PATTERN.test(id)) ids.add(id);
  }
  return [...ids];
}
