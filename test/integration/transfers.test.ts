import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, joinSession, type Session } from '../../src/node';
import { Transfers } from '../../src/duet/transfers';
import { ALL_PATHS } from '../../src/duet/paths';
import { PATH_NAMES } from '../../src/transport/paths/types';
import { registerNodeCodecs } from '../../src/adapters/node-codecs';
import { tensor } from '../../src/tensor';
import { hashBytes, tensorBytes } from '../../src/tensor';
import type { Hub } from '../../signaling-server/hub';
import { FAST_KDF, testHub } from '../helpers/hub';
import { sameBytes } from '../helpers/bytes';
import { ALL_DTYPES, SHAPES, sampleTensor } from '../helpers/tensors';

let hub: Hub;
let owner: Session;
let scientist: Session;
let out: Transfers;
let inbox: Transfers;

beforeAll(async () => {
  hub = await testHub();
  owner = await createSession({ hubUrl: hub.url, kdfIterations: FAST_KDF });
  scientist = await joinSession({ hubUrl: hub.url, code: owner.code, kdfIterations: FAST_KDF });
  out = new Transfers(owner, ALL_PATHS, { codecs: registerNodeCodecs() });
  inbox = new Transfers(scientist, ALL_PATHS, { codecs: registerNodeCodecs() });
  await Promise.all([owner.connected(), scientist.connected()]);
});
afterAll(async () => {
  owner?.close();
  scientist?.close();
  await hub?.close();
});

describe('tensor transfers between two Node peers', () => {
  it.each(PATH_NAMES)('TP1: every dtype and shape round-trips over %s, hash verified', async (path) => {
    let n = 0;
    for (const dtype of ALL_DTYPES) {
      for (const shape of SHAPES) {
        const t = sampleTensor(dtype, shape, ++n);
        const transferId = `${path}-${n}`;
        const starts: string[] = [];
        const got = inbox.expect(transferId, { onStart: (s) => starts.push(`${s.path}:${s.reason}`) });
        const summary = await out.send(t, { transferId, path });
        const back = await got;
        expect([back.dtype, back.shape]).toEqual([dtype, shape]);
        expect(sameBytes(tensorBytes(back), tensorBytes(t))).toBe(true);
        expect(summary.hash).toBe(await hashBytes(tensorBytes(t)));
        expect(starts).toEqual([`${path}:${path}: pinned`]);
      }
    }
  });

  it.each(PATH_NAMES)('TP2: an 8 MB tensor arrives whole over %s with progress', async (path) => {
    const t = sampleTensor('float32', [1024, 2048], 5);
    let last = 0;
    const got = inbox.expect(`big-${path}`, { onProgress: (p) => (last = p.bytes) });
    await out.send(t, { transferId: `big-${path}`, path });
    expect(sameBytes(tensorBytes(await got), tensorBytes(t))).toBe(true);
    expect(last).toBe(8 * 1024 * 1024);
  });

  it.each(['xz', 'blosc-lz4', 'blosc-zstd', 'sparse'])('TP7: a lossless codec (%s) shrinks what travels and the tensor arrives exact', async (codec) => {
    // 90% zeros with a smooth rest: every lossless codec has something to win here.
    const data = new Float32Array(256 * 1024).map((_, i) => (i % 10 === 0 ? Math.sin(i / 1000) : 0));
    const t = tensor('float32', [512, 512], data);
    const starts: { codec: string; wire: number; decoded: number }[] = [];
    const got = inbox.expect(`codec-${codec}`, { onStart: (s) => starts.push({ codec: s.codec, wire: Number(s.tensor!.byteLength), decoded: Number(s.decoded!.byteLength) }) });
    const summary = await out.send(t, { transferId: `codec-${codec}`, path: 'arrow-rtc', codec });
    const back = await got;
    expect(sameBytes(tensorBytes(back), tensorBytes(t))).toBe(true);
    expect([back.dtype, back.shape]).toEqual(['float32', [512, 512]]);
    expect(starts[0]!.codec).toBe(codec);
    expect(starts[0]!.decoded).toBe(1024 * 1024);
    expect(summary.bytes).toBe(starts[0]!.wire);
    expect(starts[0]!.wire).toBeLessThan(starts[0]!.decoded / 2);
  });

  it('TP8: a codec the receiver lacks is refused with a clear error, not garbage', async () => {
    const t = sampleTensor('float32', [64, 64], 9);
    await expect(out.send(t, { transferId: 'no-codec', codec: 'no-such-codec' })).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
  });
});
