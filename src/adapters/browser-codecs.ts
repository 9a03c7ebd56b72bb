import { CodecRegistry, createXzCodec, registerPortableCodecs, type PortableCodecOptions, type XzOptions } from '../codecs';
import { createWasmXzBackend, type WasmXzOptions } from './xz-wasm';

export interface BrowserCodecOptions extends PortableCodecOptions {
  xz?: Omit<XzOptions, keyof NonNullable<PortableCodecOptions['limits']>> & WasmXzOptions;
}

/** Browser entry points call this: the portable codecs plus xz on wasm liblzma. */
export function registerBrowserCodecs(registry: CodecRegistry = new CodecRegistry(), options: BrowserCodecOptions = {}): CodecRegistry {
  registerPortableCodecs(registry, options);
  registry.register(createXzCodec(createWasmXzBackend(options.xz), { ...options.limits, ...options.xz }));
  return registry;
}
