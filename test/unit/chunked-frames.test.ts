import { describe, expect, it } from 'vitest';
import { FrameAssembler, FrameQueue, MAX_CHUNKED_FRAME_BYTES, sendFrame } from '../../src/transport/chunked-frames';
import { memoryTransportPair } from '../../src/transport/memory-transport';
import { MAX_DATACHANNEL_MESSAGE_BYTES } from '../../src/transport/constants';
import { sameBytes } from '../helpers/bytes';

function pattern(n: number, seed: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 131 + seed) & 0xff);
}

describe('chunked frames', () => {
  it('BF1: frames of any size, made of several parts, arrive whole and in order', async () => {
    const [a, b] = memoryTransportPair();
    const got: Uint8Array[] = [];
    const asm = new FrameAssembler((f) => got.push(f.slice()));
    b.on('message', (m) => asm.push(m));
    const sizes = [0, 1, MAX_DATACHANNEL_MESSAGE_BYTES - 4, MAX_DATACHANNEL_MESSAGE_BYTES - 3, 3 * MAX_DATACHANNEL_MESSAGE_BYTES + 17];
    const frames = sizes.map((n, i) => [pattern(Math.floor(n / 3), i), pattern(n - Math.floor(n / 3), i + 7)]);
    for (const parts of frames) await sendFrame(a, parts);
    await new Promise((r) => setTimeout(r, 10));
    expect(got.map((f) => f.byteLength)).toEqual(sizes);
    frames.forEach((parts, i) => expect(sameBytes(got[i]!, Buffer.concat(parts))).toBe(true));
    expect(a.sent.every((m) => m.byteLength <= MAX_DATACHANNEL_MESSAGE_BYTES)).toBe(true);
  });

  it('BF2: a frame over the limit is refused by the sender and by the receiver', async () => {
    const [a] = memoryTransportPair();
    await expect(sendFrame(a, [new Uint8Array(MAX_CHUNKED_FRAME_BYTES + 1)])).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    const asm = new FrameAssembler(() => undefined, 100);
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, 101, true);
    expect(() => asm.push(header)).toThrowError(/over the 100-byte limit/);
    const ok = new Uint8Array(4);
    new DataView(ok.buffer).setUint32(0, 100, true);
    expect(() => asm.push(ok)).not.toThrow();
  });

  it('BF3: a frame running past its length, or a truncated length, is DATA_LOSS', () => {
    const asm = new FrameAssembler(() => undefined);
    const header = new Uint8Array(6);
    new DataView(header.buffer).setUint32(0, 4, true);
    asm.push(header); // 2 of 4 bytes
    expect(() => asm.push(new Uint8Array(3))).toThrowError(/past its announced length/);
    expect(() => new FrameAssembler(() => undefined).push(new Uint8Array(2))).toThrowError(/truncated length/);
  });

  it('BF4: frames sent at once by two transfers through one FrameQueue arrive whole; a failed frame does not stop the next', async () => {
    const [a, b] = memoryTransportPair();
    const got: Uint8Array[] = [];
    const asm = new FrameAssembler((f) => got.push(f.slice()));
    b.on('message', (m) => asm.push(m));
    const queue = new FrameQueue(a);
    const big = 3 * MAX_DATACHANNEL_MESSAGE_BYTES + 5;
    const frames = [pattern(big, 1), pattern(big, 2), pattern(17, 3)];
    const cancelled = new AbortController();
    cancelled.abort();
    const sends = [queue.send([frames[0]!]), queue.send([pattern(big, 9)], cancelled.signal), queue.send([frames[1]!]), queue.send([frames[2]!])];
    const results = await Promise.allSettled(sends);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    await new Promise((r) => setTimeout(r, 10));
    expect(got.map((f) => f.byteLength)).toEqual(frames.map((f) => f.byteLength));
    frames.forEach((f, i) => expect(sameBytes(got[i]!, f)).toBe(true));
  });

  it('BF5: a cancel that comes mid-frame lets the frame finish, so the frames after it still arrive whole', async () => {
    const [a, b] = memoryTransportPair();
    const got: Uint8Array[] = [];
    const asm = new FrameAssembler((f) => got.push(f.slice()));
    b.on('message', (m) => asm.push(m));
    const cancel = new AbortController();
    const send = a.send.bind(a);
    a.send = (m: Uint8Array) => {
      send(m);
      cancel.abort(); // after the frame's first message is out
    };
    const frames = [pattern(2 * MAX_DATACHANNEL_MESSAGE_BYTES + 9, 4), pattern(33, 5)];
    await sendFrame(a, [frames[0]!], cancel.signal);
    await expect(sendFrame(a, [frames[1]!], cancel.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
    await sendFrame(a, [frames[1]!]);
    await new Promise((r) => setTimeout(r, 10));
    expect(got.map((f) => f.byteLength)).toEqual(frames.map((f) => f.byteLength));
    frames.forEach((f, i) => expect(sameBytes(got[i]!, f)).toBe(true));
  });
});
