import { describe, expect, it } from 'vitest';
import { create, toBinary } from '@bufbuild/protobuf';
import { ControlChannel, type ControlChannelOptions } from '../../src/transport/control-channel';
import { memoryTransportPair } from '../../src/transport/memory-transport';
import { defineEvent, defineMethod } from '../../src/transport/rpc-types';
import { ControlFrameSchema, PingRequestSchema, PingResponseSchema } from '../../src/wire/gen/duet/v1/control_pb';
import { Role } from '../../src/wire/gen/duet/v1/common_pb';
import { decode } from '../../src/wire/frames';
import { DuetError, isDuetError } from '../../src/errors';
import { HIGH_WATER_BYTES, MAX_DATACHANNEL_MESSAGE_BYTES } from '../../src/transport/constants';
import { sameBytes } from '../helpers/bytes';
import { rejection } from '../helpers/errors';

const Echo = defineMethod('test.echo', PingRequestSchema, PingResponseSchema);
const Slow = defineMethod('test.slow', PingRequestSchema, PingResponseSchema);
const Note = defineEvent('test.note', PingRequestSchema);

async function pair(a: Partial<ControlChannelOptions> = {}, b: Partial<ControlChannelOptions> = {}) {
  const [ta, tb] = memoryTransportPair();
  const owner = new ControlChannel(ta, { role: Role.OWNER, ...a });
  const scientist = new ControlChannel(tb, { role: Role.SCIENTIST, ...b });
  for (const ch of [owner, scientist]) ch.handle(Echo, (req) => ({ echo: req.echo }));
  await Promise.all([owner.start(), scientist.start()]);
  return { owner, scientist, ta, tb };
}


describe('control channel', () => {
  it('CC1: hands over roles, versions and capabilities in the handshake', async () => {
    const { owner, scientist } = await pair({ capabilities: ['codec:xz'] });
    expect(scientist.peer.role).toBe(Role.OWNER);
    expect(scientist.peer.capabilities).toEqual(['codec:xz']);
    expect(owner.peer.role).toBe(Role.SCIENTIST);
  });

  it('CC2: refuses a peer with another major version, on both sides', async () => {
    const [ta, tb] = memoryTransportPair();
    const a = new ControlChannel(ta, { role: Role.OWNER });
    const b = new ControlChannel(tb, { role: Role.SCIENTIST, protocolVersion: '2.0' });
    const [ea, eb] = await Promise.all([rejection(a.start()), rejection(b.start())]);
    expect(ea.reason).toBe('VERSION_MISMATCH');
    expect(ea.message).toMatch(/protocol 2\.0/);
    expect(eb.reason).toBe('VERSION_MISMATCH');
    expect(a.closed && b.closed).toBe(true);
  });

  it('CC3: a typed call returns the typed response', async () => {
    const { scientist } = await pair();
    const res = await scientist.call(Echo, { echo: new Uint8Array([1, 2, 3]) });
    expect(Array.from(res.echo)).toEqual([1, 2, 3]);
  });

  it('CC4: an unknown method is UNIMPLEMENTED and names the method', async () => {
    const { scientist } = await pair();
    const e = await rejection(scientist.callRaw('no.such.method', new Uint8Array()));
    expect(e.code).toBe('UNIMPLEMENTED');
    expect(e.message).toContain('no.such.method');
  });

  it('CC5: a handler error crosses the wire with its code, reason and details', async () => {
    const { owner, scientist } = await pair();
    owner.handle(Slow, () => {
      throw new DuetError('PERMISSION_DENIED', 'not yours', { reason: 'OP_NOT_ALLOWED', details: { op: 'x' } });
    });
    const e = await rejection(scientist.call(Slow, {}));
    expect([e.code, e.reason, e.message, e.details.op]).toEqual(['PERMISSION_DENIED', 'OP_NOT_ALLOWED', 'not yours', 'x']);
  });

  it('CC6: a call past its deadline fails with DEADLINE_EXCEEDED and the callee is told to stop', async () => {
    const { owner, scientist } = await pair();
    let aborted: Promise<void> = Promise.resolve();
    owner.handle(Slow, (_req, ctx) => {
      aborted = new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      return new Promise(() => undefined);
    });
    const e = await rejection(scientist.call(Slow, {}, { timeoutMs: 30 }));
    expect(e.code).toBe('DEADLINE_EXCEEDED');
    await aborted; // resolves only if the handler's signal aborted
  });

  it('CC7: a cancelled call fails with CANCELLED and aborts the handler', async () => {
    const { owner, scientist } = await pair();
    let handlerAborted = false;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    owner.handle(Slow, (_req, ctx) => {
      started();
      return new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          handlerAborted = true;
          reject(new DuetError('CANCELLED', 'stopped'));
        }),
      );
    });
    const ac = new AbortController();
    const call = scientist.call(Slow, {}, { signal: ac.signal });
    await running;
    ac.abort();
    expect((await rejection(call)).code).toBe('CANCELLED');
    await new Promise((r) => setTimeout(r, 10));
    expect(handlerAborted).toBe(true);
  });

  it('CC8: messages over one DataChannel message are fragmented and reassembled', async () => {
    const { scientist, tb } = await pair();
    const big = new Uint8Array(3 * MAX_DATACHANNEL_MESSAGE_BYTES + 7).map((_, i) => i * 31);
    const res = await scientist.call(Echo, { echo: big });
    expect(sameBytes(res.echo, big)).toBe(true);
    expect(tb.sent.every((m) => m.byteLength <= MAX_DATACHANNEL_MESSAGE_BYTES)).toBe(true);
    expect(tb.sent.some((m) => decode(ControlFrameSchema, m, 'frame').msg.case === 'fragment')).toBe(true);
  });

  it('CC9: a payload at maxMessageBytes passes; one byte more is refused before sending', async () => {
    const limits = { maxMessageBytes: 600_000 };
    const { scientist, tb } = await pair({ limits }, { limits });
    const framing = 4; // PingRequest: one tag byte and a 3-byte length varint
    expect(toBinary(PingRequestSchema, create(PingRequestSchema, { echo: new Uint8Array(600_000 - framing) })).byteLength).toBe(600_000);
    const atLimit = await scientist.call(Echo, { echo: new Uint8Array(600_000 - framing) });
    expect(atLimit.echo.byteLength).toBe(600_000 - framing);
    const before = tb.sent.length;
    const e = await rejection(scientist.call(Echo, { echo: new Uint8Array(600_000 - framing + 1) }));
    expect([e.code, e.reason, e.details.limit]).toEqual(['RESOURCE_EXHAUSTED', 'MESSAGE_TOO_LARGE', 'maxMessageBytes']);
    expect(tb.sent.length).toBe(before);
  });

  it('CC10: the sender respects the smaller of both sides\' message limits', async () => {
    const { scientist } = await pair({ limits: { maxMessageBytes: 100_000 } }, {});
    const e = await rejection(scientist.call(Echo, { echo: new Uint8Array(200_000) }));
    expect(e.details.max).toBe(100_000);
  });

  it('CC11: a ping overtakes the fragments of a large message and reports an RTT', async () => {
    const { scientist, tb } = await pair();
    // Past the high-water mark, so the sender must wait for the buffer to drain mid-message.
    const big = scientist.call(Echo, { echo: new Uint8Array(Math.ceil((2 * HIGH_WATER_BYTES) / MAX_DATACHANNEL_MESSAGE_BYTES) * MAX_DATACHANNEL_MESSAGE_BYTES) });
    const rtt = await scientist.ping();
    expect(rtt).toBeGreaterThan(0);
    await big;
    const kinds = tb.sent.map((m) => decode(ControlFrameSchema, m, 'frame').msg.case);
    expect(kinds.indexOf('ping')).toBeLessThan(kinds.lastIndexOf('fragment'));
  });

  it('CC12: pending calls fail with UNAVAILABLE when the peer vanishes', async () => {
    const { owner, scientist, ta } = await pair();
    owner.handle(Slow, () => new Promise(() => undefined));
    const call = scientist.call(Slow, {});
    await new Promise((r) => setTimeout(r, 5));
    ta.fail(new DuetError('UNAVAILABLE', 'gone', { reason: 'PEER_CONNECTION_LOST' }));
    const e = await rejection(call);
    expect([e.code, e.reason]).toEqual(['UNAVAILABLE', 'PEER_CONNECTION_LOST']);
    expect((await rejection(scientist.call(Echo, {}))).code).toBe('UNAVAILABLE');
  });

  it('CC13: calls beyond maxPendingCalls are refused at the edge', async () => {
    const limits = { maxPendingCalls: 2 };
    const { owner, scientist } = await pair({ limits }, { limits });
    owner.handle(Slow, () => new Promise(() => undefined));
    const held = [scientist.call(Slow, {}, { timeoutMs: 200 }), scientist.call(Slow, {}, { timeoutMs: 200 })];
    const e = await rejection(scientist.call(Slow, {}));
    expect([e.code, e.details.limit]).toEqual(['RESOURCE_EXHAUSTED', 'maxPendingCalls']);
    for (const h of held) expect((await rejection(h)).code).toBe('DEADLINE_EXCEEDED');
  });

  it('CC14: garbage from the peer closes the channel with a clear error on both sides', async () => {
    const { owner, scientist, tb } = await pair();
    const closedOwner = new Promise<DuetError | undefined>((r) => owner.on('close', r));
    const closedScientist = new Promise<DuetError | undefined>((r) => scientist.on('close', r));
    tb.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]));
    const [eo, es] = await Promise.all([closedOwner, closedScientist]);
    expect(eo?.reason).toBe('MALFORMED_MESSAGE');
    expect(es?.reason).toBe('MALFORMED_MESSAGE');
  });

  it('CC15: one-way events arrive typed, in order', async () => {
    const { owner, scientist } = await pair();
    const got: number[] = [];
    const done = new Promise<void>((resolve) =>
      owner.onEvent(Note, (m) => {
        got.push(m.echo[0]!);
        if (got.length === 3) resolve();
      }),
    );
    for (const n of [1, 2, 3]) await scientist.emitEvent(Note, { echo: new Uint8Array([n]) });
    await done;
    expect(got).toEqual([1, 2, 3]);
  });

  it('CC16: sending waits while the transport is above its high-water mark', async () => {
    const [ta, tb] = memoryTransportPair();
    ta.congestion = HIGH_WATER_BYTES + 1;
    const a = new ControlChannel(ta, { role: Role.OWNER });
    const b = new ControlChannel(tb, { role: Role.SCIENTIST });
    const started = Promise.all([a.start(), b.start()]);
    await new Promise((r) => setTimeout(r, 20));
    expect(ta.sent.length).toBe(0);
    ta.relieve();
    await started;
    expect(ta.sent.length).toBe(1);
  });
});
