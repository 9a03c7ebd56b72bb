import { describe, expect, it } from 'vitest';
import { registerNodeCodecs } from '../../src/adapters/node-codecs';
import { type Codec, CodecRegistry, createNoneCodec } from '../../src/codecs';
import { DuetError } from '../../src/errors';

function thrown(fn: () => unknown): DuetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DuetError);
    return e as DuetError;
  }
  throw new Error('expected a throw');
}

describe('codec registry', () => {
  it('CD9: a missing codec is UNIMPLEMENTED and the message names it and what is registered', () => {
    const r = new CodecRegistry().register(createNoneCodec());
    const e = thrown(() => r.get('xz'));
    expect(e.code).toBe('UNIMPLEMENTED');
    expect(e.reason).toBe('CODEC_NOT_REGISTERED');
    expect(e.message).toContain('"xz"');
    expect(e.message).toContain('none');
  });

  it('CD9: validates id, kind and methods at registration', () => {
    const good = createNoneCodec();
    const r = new CodecRegistry();
    expect(thrown(() => r.register({ ...good, id: 'Bad Id' })).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => r.register({ ...good, id: 'x'.repeat(33) })).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => r.register({ ...good, kind: 'magic' } as unknown as Codec)).code).toBe('INVALID_ARGUMENT');
    expect(thrown(() => r.register({ ...good, decode: undefined } as unknown as Codec)).message).toContain('decode');
    r.register(good);
    expect(thrown(() => r.register(good)).code).toBe('ALREADY_EXISTS');
    r.register(createNoneCodec(), { replace: true });
    expect(r.ids()).toEqual(['none']);
  });

  it('CD9: the Node entry registers every codec of docs/codecs.md', () => {
    expect(registerNodeCodecs().ids().sort()).toEqual(['blosc-lz4', 'blosc-zstd', 'dgc', 'none', 'qsgd', 'randomk', 'sparse', 'topk', 'xz']);
  });
});
