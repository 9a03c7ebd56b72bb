import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, joinSession, type Session } from '../../src/node';
import { Role } from '../../src/wire/gen/duet/v1/common_pb';
import { defineMethod } from '../../src/transport/rpc-types';
import { PingRequestSchema, PingResponseSchema } from '../../src/wire/gen/duet/v1/control_pb';
import { FAST_KDF, testHub } from '../helpers/hub';
import { sameBytes } from '../helpers/bytes';
import type { Hub } from '../../signaling-server/hub';

const Echo = defineMethod('test.echo', PingRequestSchema, PingResponseSchema);

let hub: Hub;
const open: Session[] = [];
beforeAll(async () => {
  hub = await testHub();
});
afterAll(async () => {
  for (const s of open) s.close();
  await hub.close();
});

async function duet() {
  const owner = await createSession({ hubUrl: hub.url, kdfIterations: FAST_KDF });
  const scientist = await joinSession({ hubUrl: hub.url, code: owner.code, kdfIterations: FAST_KDF });
  open.push(owner, scientist);
  return { owner, scientist };
}

describe('two Node peers over WebRTC (@roamhq/wrtc)', () => {
  it('SE1: connect through the hub by code and ping over the DataChannel', async () => {
    const owner = await createSession({ hubUrl: hub.url, kdfIterations: FAST_KDF });
    open.push(owner);
    expect(owner.state).toBe('waiting');
    const scientist = await joinSession({ hubUrl: hub.url, code: owner.code, kdfIterations: FAST_KDF });
    open.push(scientist);
    await Promise.all([owner.connected(), scientist.connected()]);
    expect(owner.peers[0]?.role).toBe(Role.SCIENTIST);
    expect(scientist.peers[0]?.role).toBe(Role.OWNER);
    const rtt = await scientist.ping();
    expect(rtt).toBeGreaterThan(0);
    expect(rtt).toBeLessThan(5000);
  });

  it('SE2: typed calls in both directions, with a 1 MB payload that must be fragmented', async () => {
    const { owner, scientist } = await duet();
    owner.handle(Echo, (req) => ({ echo: req.echo.slice().reverse() }));
    scientist.handle(Echo, (req) => ({ echo: req.echo }));
    await Promise.all([owner.connected(), scientist.connected()]);
    const big = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const back = await scientist.call(Echo, { echo: big });
    expect(sameBytes(back.echo, big.slice().reverse())).toBe(true);
    expect((await owner.call(Echo, { echo: new Uint8Array([7]) })).echo).toEqual(new Uint8Array([7]));
  });

  it('SE3: a scientist with an incompatible major version is refused with a clear error', async () => {
    const owner = await createSession({ hubUrl: hub.url, kdfIterations: FAST_KDF });
    open.push(owner);
    // The hub speaks 1.x; a 2.x peer is stopped at the hub already.
    await expect(joinSession({ hubUrl: hub.url, code: owner.code, kdfIterations: FAST_KDF, protocolVersion: '2.0' })).rejects.toMatchObject({
      reason: 'VERSION_MISMATCH',
    });
  });

  it('SE4: when the scientist leaves, the owner sees peer-left, and a new scientist can join', async () => {
    const { owner, scientist } = await duet();
    await Promise.all([owner.connected(), scientist.connected()]);
    const left = new Promise<void>((resolve) => owner.on('state', (s) => s === 'peer-left' && resolve()));
    scientist.close();
    await left;
    const again = await joinSession({ hubUrl: hub.url, code: owner.code, kdfIterations: FAST_KDF });
    open.push(again);
    await Promise.all([owner.connected(), again.connected()]);
    expect(await again.ping()).toBeGreaterThan(0);
  });

  it('SE5: a dropped direct link is rebuilt while both stay in the hub', async () => {
    const { owner, scientist } = await duet();
    await Promise.all([owner.connected(), scientist.connected()]);
    const seen: string[] = [];
    owner.on('state', (s) => seen.push(s));
    scientist.channel().close(); // the DataChannel goes away under both sides
    await new Promise<void>((resolve) => owner.on('state', (s) => s === 'connected' && resolve()));
    await scientist.connected();
    expect(seen).toContain('reconnecting');
    expect(await scientist.ping()).toBeGreaterThan(0);
  });

  it('SE6: a hub that goes away does not break a live direct link', async () => {
    const ownHub = await testHub();
    const owner = await createSession({ hubUrl: ownHub.url, kdfIterations: FAST_KDF });
    const scientist = await joinSession({ hubUrl: ownHub.url, code: owner.code, kdfIterations: FAST_KDF });
    open.push(owner, scientist);
    await Promise.all([owner.connected(), scientist.connected()]);
    const errors: string[] = [];
    scientist.on('error', (e) => errors.push(e.reason ?? e.code));
    await ownHub.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toContain('HUB_DISCONNECTED');
    expect(scientist.state).toBe('connected');
    expect(await scientist.ping()).toBeGreaterThan(0);
  });
});
