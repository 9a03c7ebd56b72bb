import type { CodecKind, CodecRegistry } from '../codecs';

// What each side can do. The sender may use a codec only if it encodes it and the
// receiver decodes it; the same for paths. Peer capability sync (sending this over the
// control channel) lives with the transport; this is the pure part.

export const PATH_NAMES = ['webrtc', 'arrow-rtc', 'arrow-flight'] as const;
export type PathName = (typeof PATH_NAMES)[number];

export interface Capabilities {
  /** Codec ids this side can encode. */
  readonly encode: readonly string[];
  /** Codec ids this side can decode. */
  readonly decode: readonly string[];
  /** Tensor paths this side can use. */
  readonly paths: readonly PathName[];
}

/** Every registered codec both encodes and decodes, so both lists are the registry's ids. */
export function capabilitiesOf(registry: CodecRegistry, paths: readonly PathName[]): Capabilities {
  const ids = registry.ids();
  return { encode: ids, decode: ids, paths: [...paths] };
}

/** Codecs the sender may use for this receiver, in the sender's order. */
export function usableCodecs(sender: Capabilities, receiver: Capabilities): string[] {
  const decodable = new Set(receiver.decode);
  return sender.encode.filter((id) => decodable.has(id));
}

export function usablePaths(a: Capabilities, b: Capabilities): PathName[] {
  const other = new Set(b.paths);
  return a.paths.filter((p) => other.has(p));
}

/** The kind of each usable codec, as choose() wants it. */
export function codecKinds(registry: CodecRegistry, ids: readonly string[]): Record<string, CodecKind> {
  return Object.fromEntries(ids.map((id) => [id, registry.get(id).kind]));
}
