import { describe, expect, it } from 'vitest';
import { decodeTensor, encodeTensor, type FlightFrame } from '../../src/arrow';
import { isDuetError, type DuetError } from '../../src/errors';
import { createOpener, createSealer, deriveSealKey, exportSealPublicKey, generateSealKeyPair, webSealCrypto, type SealCrypto } from '../../src/transport/seal';
import { nodeSealCrypto } from '../../src/adapters/seal-node';
import { FrameOpener, sealFrames } from '../../src/transport/flight/sealed-frames';
import { sameTensor, sampleTensor } from '../helpers/tensors';
import { rejection } from '../helpers/errors';


async function keys() {
  const a = await generateSealKeyPair();
  const b = await generateSealKeyPair();
  return {
    alice: await deriveSealKey(a, await exportSealPublicKey(b)),
    bob: await deriveSealKey(b, await exportSealPublicKey(a)),
  };
}

const id = new Uint8Array(16).fill(7);

// Every behaviour holds for each runtime's suite and across them: a Node peer and a browser
// peer seal for each other.
const SUITES: [string, SealCrypto, SealCrypto][] = [
  ['WebCrypto', webSealCrypto, webSealCrypto],
  ['node:crypto', nodeSealCrypto, nodeSealCrypto],
  ['node:crypto sealing, WebCrypto opening', nodeSealCrypto, webSealCrypto],
  ['WebCrypto sealing, node:crypto opening', webSealCrypto, nodeSealCrypto],
];

describe.each(SUITES)('sealing (%s)', (_, sealing, opening) => {
  it('FL11: ECDH gives both peers one key; sealed messages open in order', async () => {
    const { alice, bob } = await keys();
    const s = await createSealer(alice, id, sealing);
    const msgs = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(1000).fill(9)];
    const sealed = [await s.seal(msgs[0]!), await s.seal(msgs[1]!), await s.seal(msgs[2]!, true)];
    const o = await createOpener(bob, id, s.header, opening);
    expect(await o.open(sealed[0]!)).toEqual(msgs[0]);
    expect(await o.open(sealed[1]!)).toEqual(msgs[1]);
    expect(await o.open(sealed[2]!, true)).toEqual(msgs[2]);
    o.finish();
  });

  it('FL11: the same plaintext never seals to the same bytes (fresh key and nonce per message)', async () => {
    const { alice } = await keys();
    const plain = new Uint8Array(32);
    const s1 = await createSealer(alice, id, sealing);
    const s2 = await createSealer(alice, id, sealing);
    const out = [await s1.seal(plain), await s1.seal(plain), await s2.seal(plain)];
    expect(new Set(out.map((b) => Buffer.from(b).toString('hex'))).size).toBe(3);
    expect(Buffer.from(s1.header.salt).equals(Buffer.from(s2.header.salt))).toBe(false);
  });

  it('FL11: tampering, reordering, another transfer id, a false final flag and truncation all fail with DATA_LOSS', async () => {
    const { alice, bob } = await keys();
    const s = await createSealer(alice, id, sealing);
    const a = await s.seal(new Uint8Array([1]));
    const b = await s.seal(new Uint8Array([2]), true);
    const tampered = a.slice();
    tampered[0] = tampered[0]! ^ 1;
    expect((await rejection((await createOpener(bob, id, s.header, opening)).open(tampered))).reason).toBe('SEAL_AUTH_FAILED');
    expect((await rejection((await createOpener(bob, id, s.header, opening)).open(b, true))).reason).toBe('SEAL_AUTH_FAILED');
    expect((await rejection((await createOpener(bob, new Uint8Array(16), s.header, opening)).open(a))).reason).toBe('SEAL_AUTH_FAILED');
    const o = await createOpener(bob, id, s.header, opening);
    await o.open(a);
    expect((await rejection(o.open(b, false))).reason).toBe('SEAL_AUTH_FAILED');
    const t = await createOpener(bob, id, s.header, opening);
    await t.open(a);
    expect(() => t.finish()).toThrowError(/without its final/);
    const { alice: other } = await keys();
    expect((await rejection((await createOpener(other, id, s.header, opening)).open(a))).code).toBe('DATA_LOSS');
  });

  it('FL11: sealed Arrow frames keep FlightData shape and round-trip a tensor; a dropped or swapped frame fails', async () => {
    const { alice, bob } = await keys();
    const t = sampleTensor('float32', [50, 3]);
    const { frames } = await encodeTensor(t, { batchBytes: 128 });
    const sealed: FlightFrame[] = [];
    for await (const f of sealFrames(frames, alice, id, sealing)) sealed.push(f);
    expect(sealed).toHaveLength(frames.length);
    const open = async (list: FlightFrame[]) => {
      const o = new FrameOpener(bob, id, opening);
      const plain: FlightFrame[] = [];
      for (const f of list) plain.push(await o.open(f));
      o.finish();
      return decodeTensor(plain);
    };
    expect(sameTensor(await open(sealed), t)).toBe(true);
    expect((await rejection(open(sealed.slice(0, -1)))).reason).toBe('TRUNCATED');
    expect((await rejection(open([sealed[0]!, sealed[2]!, sealed[1]!, ...sealed.slice(3)]))).reason).toBe('SEAL_AUTH_FAILED');
  });

  it('FL11: a sealed message cut shorter than its tag fails with DATA_LOSS, not a crash', async () => {
    const { alice, bob } = await keys();
    const s = await createSealer(alice, id, sealing);
    const sealed = await s.seal(new Uint8Array([1, 2, 3]), true);
    for (const cut of [0, 5, 15, 18]) {
      const e = await rejection((await createOpener(bob, id, s.header, opening)).open(sealed.subarray(0, cut), true));
      expect([e.code, e.reason]).toEqual(['DATA_LOSS', 'SEAL_AUTH_FAILED']);
    }
  });
});

describe('the two sealing suites', () => {
  it('FL18: write the same bytes for the same key, salt, nonce and data, large and small', async () => {
    const { alice } = await keys();
    const salt = new Uint8Array(16).fill(3);
    const info = new Uint8Array([1, 2, 3]);
    const [web, node] = await Promise.all([webSealCrypto.transferCipher(alice, salt, info), nodeSealCrypto.transferCipher(alice, salt, info)]);
    const nonce = new Uint8Array(12).fill(9);
    const aad = new Uint8Array([4, 5]);
    for (const plain of [new Uint8Array(0), new Uint8Array(100).fill(1), new Uint8Array(1 << 20).map((_, i) => i)]) {
      const [a, b] = [await web.encrypt(nonce, aad, plain), await node.encrypt(nonce, aad, plain)];
      expect(a.byteLength).toBe(plain.byteLength + 16);
      expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
      const opened = await node.decrypt(nonce, aad, a);
      expect([opened.byteOffset, opened.buffer.byteLength]).toEqual([0, plain.byteLength]); // owns its memory, as WebCrypto's output does
      expect(Buffer.from(opened).equals(Buffer.from(plain))).toBe(true);
    }
  });
});
