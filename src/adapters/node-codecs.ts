import { CodecRegistry, createXzCodec, registerPortableCodecs, type PortableCodecOptions, type XzOptions } from '../codecs';
import { createLzmaNativeXzBackend, type LzmaNativeOptions } from './xz-lzma-native';

export interface NodeCodecOptions extends PortableCodecOptions {
  xz?: Omit<XzOptions, keyof NonNullable<PortableCodecOptions['limits']>> & LzmaNativeOptions;
}

/** Node entry points call this: the portable codecs plus xz on native liblzma. */
export function registerNodeCodecs(registry: CodecRegistry = new CodecRegistry(), options: NodeCodecOptions = {}): CodecRegistry {
  registerPortableCodecs(registry, options);
  const backend = createLzmaNativeXzBackend(options.xz);
  registry.register(createXzCodec(backend, { ...options.limits, ...options.xz }));
  return registry;
}
