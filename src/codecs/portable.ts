import type { CodecLimitSettings } from './constants';
import type { LossyOptions } from './lossy/common';
import { createDgcCodec, type DgcOptions } from './lossy/dgc';
import { createQsgdCodec, type QsgdOptions } from './lossy/qsgd';
import { createRandomKCodec, type RandomKOptions } from './lossy/randomk';
import { createTopKCodec } from './lossy/topk';
import { createBloscCodec } from './blosc';
import { createNoneCodec } from './none';
import type { CodecRegistry } from './registry';
import { createSparseCodec } from './sparse';

export interface PortableCodecOptions {
  limits?: CodecLimitSettings;
  topk?: LossyOptions;
  dgc?: DgcOptions;
  randomk?: RandomKOptions;
  qsgd?: QsgdOptions;
}

/**
 * Registers every codec that runs the same in browsers and Node (pure JS or inline wasm):
 * none, blosc-lz4, blosc-zstd, sparse, and the gradient codecs topk, dgc, randomk, qsgd
 * (each instance keeps its own residuals, so give each session its own registry). xz needs a runtime backend, so the entry points'
 * adapters (registerNodeCodecs / registerBrowserCodecs) add it.
 */
export function registerPortableCodecs(registry: CodecRegistry, options: PortableCodecOptions = {}): CodecRegistry {
  const limits = options.limits ?? {};
  registry.register(createNoneCodec(limits));
  registry.register(createBloscCodec({ ...limits, cname: 'lz4' }));
  registry.register(createBloscCodec({ ...limits, cname: 'zstd' }));
  registry.register(createSparseCodec(limits));
  registry.register(createTopKCodec({ ...limits, ...options.topk }));
  registry.register(createDgcCodec({ ...limits, ...options.dgc }));
  registry.register(createRandomKCodec({ ...limits, ...options.randomk }));
  registry.register(createQsgdCodec({ ...limits, ...options.qsgd }));
  return registry;
}
