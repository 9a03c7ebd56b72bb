import { describe, expect, it } from 'vitest';
import { ControlChannel } from '../../src/transport/control-channel';
import { memoryTransportPair } from '../../src/transport/memory-transport';
import { ControlPathReceiver, ControlPathSender, TensorChunkEvent, TensorEndEvent, CONTROL_PATH_CHUNK_BYTES } from '../../src/transport/paths/control-path';
import { Role } from '../../src/wire/gen/duet/v1/common_pb';
import { hashBytes, tensorBytes, type Tensor } from '../../src/tensor';
import { DuetError } from '../../src/errors';
import { ALL_DTYPES, SHAPES, sampleTensor } from '../helpers/tensors';
import { sameBytes } from '../helpers/bytes';

async function channels() {
  const [ta, tb] = memoryTransportPair();
  const owner = new ControlChannel(ta, { role: Role.OWNER });
  const scientist = new ControlChannel(tb, { role: Role.SCIENTIST });
  await Promise.all([owner.start(), scientist.start()]);
  return { owner, scientist, ta, tb, sender: new ControlPathSender(owner), receiver: new ControlPathReceiver(scientist) };
}

const infoOf = (t: Tensor) => ({ dtype: t.dtype, shape: t.shape, byteLength: tensorBytes(t).byteLength });

describe('webrtc (control channel) path', () => {
  it('TP1: every dtype and shape round-trips exactly, hash verified', async () => {
    const { sender, receiver } = await channels();
    let n = 0;
    for (const dtype of ALL_DTYPES) {
      for (const shape of SHAPES) {
        const t = sampleTensor(dtype, shape, ++n);
        const transferId = `t${n}`;
        const [got, sent] = await Promise.all([receiver.receive(infoOf(t), { transferId }), sender.send(t, { transferId })]);
        expect([got.dtype, got.shape]).toEqual([dtype, shape]);
        expect(sameBytes(tensorBytes(got), tensorBytes(t))).toBe(true);
        expect(sent.hash).toBe(await hashBytes(tensorBytes(t)));
      }
    }
  });

  it('TP2: a multi-chunk tensor reports progress up to its size', async () => {
    const { sender, receiver } = await channels();
    const t = sampleTensor('float64', [3 * Math.ceil(CONTROL_PATH_CHUNK_BYTES / 8) + 5]);
    const seen: number[] = [];
    const got = receiver.receive(infoOf(t), { transferId: 'p', onProgress: (p) => seen.push(p.bytes) });
    await sender.send(t, { transferId: 'p' });
    expect(sameBytes(tensorBytes(await got), tensorBytes(t))).toBe(true);
    expect(seen.length).toBe(4);
    expect(seen.at(-1)).toBe(tensorBytes(t).byteLength);
  });

  it('TP3: corrupted data, a short stream or a misplaced chunk fail with DATA_LOSS', async () => {
    const { owner, receiver } = await channels();
    const info = { dtype: 'uint8', shape: [4], byteLength: 4 };
    const bad = receiver.receive(info, { transferId: 'x' });
    await owner.emitEvent(TensorChunkEvent, { transferId: 'x', offset: 0n, data: new Uint8Array([1, 2, 3, 4]) });
    await owner.emitEvent(TensorEndEvent, { transferId: 'x', hash: await hashBytes(new Uint8Array([1, 2, 3, 5])) });
    await expect(bad).rejects.toMatchObject({ code: 'DATA_LOSS', reason: 'HASH_MISMATCH' });

    const short = receiver.receive(info, { transferId: 'y' });
    await owner.emitEvent(TensorChunkEvent, { transferId: 'y', offset: 0n, data: new Uint8Array([1, 2]) });
    await owner.emitEvent(TensorEndEvent, { transferId: 'y', hash: '' });
    await expect(short).rejects.toMatchObject({ code: 'DATA_LOSS', reason: 'TRUNCATED' });

    const gap = receiver.receive(info, { transferId: 'z' });
    await owner.emitEvent(TensorChunkEvent, { transferId: 'z', offset: 2n, data: new Uint8Array([1, 2]) });
    await expect(gap).rejects.toMatchObject({ code: 'DATA_LOSS', reason: 'PROTOCOL_VIOLATION' });
  });

  it('TP4: a peer that vanishes mid-transfer fails the receive promptly; a cancel stops it', async () => {
    const { owner, receiver, ta } = await channels();
    const info = { dtype: 'uint8', shape: [10], byteLength: 10 };
    const pending = receiver.receive(info, { transferId: 'v' });
    await owner.emitEvent(TensorChunkEvent, { transferId: 'v', offset: 0n, data: new Uint8Array(5) });
    ta.fail(new DuetError('UNAVAILABLE', 'gone', { reason: 'PEER_CONNECTION_LOST' }));
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    const { receiver: r2 } = await channels();
    const ac = new AbortController();
    const cancelled = r2.receive(info, { transferId: 'c', signal: ac.signal });
    ac.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
