import { DuetError } from '../errors';
import type { Codec } from './codec';

// Codecs register by id, validated at registration (like arrow-js ipc/compression/registry.ts),
// so a broken codec fails at start-up rather than on the first transfer.

/** Codec ids: short, lower-case, so they read well in capability strings and Arrow metadata. */
export const CODEC_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export class CodecRegistry {
  private readonly codecs = new Map<string, Codec>();

  /** Adds a codec; a duplicate id is ALREADY_EXISTS unless `replace` is set. */
  register(codec: Codec, options: { replace?: boolean } = {}): this {
    const id: unknown = (codec as { id?: unknown }).id;
    if (typeof id !== 'string' || !CODEC_ID_PATTERN.test(id)) {
      throw new DuetError('INVALID_ARGUMENT', `Codec id ${JSON.stringify(id)} is invalid: use 1-32 characters of a-z, 0-9 and '-', starting with a letter.`, {
        reason: 'BAD_CODEC',
      });
    }
    if (codec.kind !== 'lossless' && codec.kind !== 'lossy') {
      throw new DuetError('INVALID_ARGUMENT', `Codec "${id}" has kind ${JSON.stringify(codec.kind)}; expected "lossless" or "lossy".`, { reason: 'BAD_CODEC' });
    }
    for (const method of ['accepts', 'encode', 'decode', 'declaredSize'] as const) {
      if (typeof codec[method] !== 'function') {
        throw new DuetError('INVALID_ARGUMENT', `Codec "${id}" lacks the method ${method}().`, { reason: 'BAD_CODEC' });
      }
    }
    if (this.codecs.has(id) && options.replace !== true) {
      throw new DuetError('ALREADY_EXISTS', `A codec with id "${id}" is already registered.`, { reason: 'CODEC_EXISTS' });
    }
    this.codecs.set(id, codec);
    return this;
  }

  has(id: string): boolean {
    return this.codecs.has(id);
  }

  /** The codec with this id; a missing one is UNIMPLEMENTED, naming it and what is registered. */
  get(id: string): Codec {
    const codec = this.codecs.get(id);
    if (codec === undefined) {
      const known = [...this.codecs.keys()].join(', ') || 'none';
      throw new DuetError(
        'UNIMPLEMENTED',
        `Codec "${id}" is not registered here (registered: ${known}). Register it at start-up, e.g. with registerNodeCodecs() or registerBrowserCodecs().`,
        { reason: 'CODEC_NOT_REGISTERED', details: { codec: id } },
      );
    }
    return codec;
  }

  ids(): string[] {
    return [...this.codecs.keys()];
  }

  list(): Codec[] {
    return [...this.codecs.values()];
  }
}
