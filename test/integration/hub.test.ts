import { afterEach, describe, expect, it } from 'vitest';
import { create, toBinary } from '@bufbuild/protobuf';
import { createSession, joinSession, type Session } from '../../src/node';
import { DuetError } from '../../src/errors';
import { Role } from '../../src/wire/gen/duet/v1/common_pb';
import { ClientFrameSchema, LeaveReason, ServerFrameSchema } from '../../src/wire/gen/duet/v1/signal_pb';
import { decode } from '../../src/wire/frames';
import { MAX_SIGNAL_MESSAGE_BYTES } from '../../signaling-server/constants';
import type { Hub, HubOptions } from '../../signaling-server/hub';
import { FAST_KDF, testHub } from '../helpers/hub';
import { connectClient, freshLookup, rawSocket, until } from '../helpers/signal';

const hubs: Hub[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  for (const h of hubs.splice(0)) await h.close();
});

async function hub(options: HubOptions = {}): Promise<Hub> {
  const h = await testHub(options);
  hubs.push(h);
  return h;
}

async function failure(p: Promise<unknown>): Promise<DuetError> {
  try {
    await p;
  } catch (e) {
    return DuetError.from(e);
  }
  throw new Error('expected a failure');
}

function relayOfSize(frameBytes: number): Uint8Array {
  // A relay frame: 1 tag + varint length, then `to` (2 + 2 bytes) and `sealed` (1 tag + 3-byte varint + body).
  const build = (n: number) => toBinary(ClientFrameSchema, create(ClientFrameSchema, { msg: { case: 'relay', value: { to: 'xx', sealed: new Uint8Array(n) } } }));
  let n = frameBytes - 16;
  while (build(n).byteLength < frameBytes) n++;
  while (build(n).byteLength > frameBytes) n--;
  return build(n);
}

const hello = toBinary(ClientFrameSchema, create(ClientFrameSchema, { msg: { case: 'hello', value: { protocolVersion: '1.0' } } }));
const serverFrames = (bufs: Buffer[]) => bufs.map((b) => decode(ServerFrameSchema, b, 'frame').msg);

describe('hub', () => {
  it('HB1: serves /healthz and /config with the ICE servers it was given', async () => {
    const h = await hub({ iceServers: [{ urls: 'stun:stun.example.org:3478' }] });
    const health = (await (await fetch(`${h.url}/healthz`)).json()) as { status: string; sessions: number };
    expect(health.status).toBe('ok');
    const config = (await (await fetch(`${h.url}/config`)).json()) as { iceServers: unknown[] };
    expect(config.iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
  });

  it('HB2: an unknown code is refused in words', async () => {
    const h = await hub();
    const e = await failure(joinSession({ hubUrl: h.url, code: 'ZZZZZ-ZZZZZ', kdfIterations: FAST_KDF }));
    expect([e.code, e.reason]).toEqual(['NOT_FOUND', 'SESSION_NOT_FOUND']);
    expect(e.message).toMatch(/No session has this code/);
  });

  it('HB3: an expired code says it expired, not that it never existed', async () => {
    const h = await hub({ limits: { sessionIdleMs: 30, resumeGraceMs: 0 } });
    const owner = await createSession({ hubUrl: h.url, kdfIterations: FAST_KDF });
    const code = owner.code;
    owner.close();
    await until(() => h.registry.size === 0);
    const e = await failure(joinSession({ hubUrl: h.url, code, kdfIterations: FAST_KDF }));
    expect([e.code, e.reason]).toEqual(['NOT_FOUND', 'SESSION_EXPIRED']);
  });

  it('HB3b: a session whose owner dropped expires after the idle limit', async () => {
    const h = await hub({ limits: { sessionIdleMs: 50, resumeGraceMs: 10_000 } });
    const c = await connectClient(h.url);
    const lookup = await freshLookup();
    await c.create(lookup, Role.OWNER);
    c.close(); // no leave: a drop, so the slot is held...
    await until(() => h.registry.size === 0); // ...but the idle session still ends
    const d = await connectClient(h.url);
    expect((await failure(d.join(lookup, Role.SCIENTIST))).reason).toBe('SESSION_EXPIRED');
    d.close();
  });

  it('HB4: a full session refuses one more; multi-party sessions hold what they asked for', async () => {
    const h = await hub();
    const lookup = await freshLookup();
    const clients = await Promise.all([0, 1, 2].map(() => connectClient(h.url)));
    await clients[0]!.create(lookup, Role.OWNER);
    await clients[1]!.join(lookup, Role.SCIENTIST);
    const e = await failure(clients[2]!.join(lookup, Role.SCIENTIST));
    expect([e.code, e.reason, e.details.max]).toEqual(['RESOURCE_EXHAUSTED', 'SESSION_FULL', '2']);

    const party = await freshLookup();
    const peers = await Promise.all([0, 1, 2, 3].map(() => connectClient(h.url)));
    await peers[0]!.create(party, Role.PEER, 3);
    await peers[1]!.join(party, Role.PEER);
    await peers[2]!.join(party, Role.PEER);
    expect((await failure(peers[3]!.join(party, Role.PEER))).reason).toBe('SESSION_FULL');
    const tooMany = await failure(peers[3]!.create(await freshLookup(), Role.PEER, h.limits.maxPeersPerSession + 1));
    expect(tooMany.reason).toBe('BAD_PEER_COUNT');
    for (const c of [...clients, ...peers]) c.close();
  });

  it('HB5: malformed frames get an error and the socket stays usable', async () => {
    const h = await hub();
    const { ws, messages } = await rawSocket(h.url);
    ws.send(hello);
    ws.send(Buffer.from([0x0a, 0xff, 0xff, 0xff])); // a length running past the end
    ws.send('{"type":"offer"}'); // text, not protobuf
    ws.send(toBinary(ClientFrameSchema, create(ClientFrameSchema, {}))); // empty: no content
    await until(() => messages.length >= 4);
    const reasons = serverFrames(messages.slice(1)).map((m) => (m.case === 'error' ? m.value.reason : m.case));
    expect(reasons).toEqual(['MALFORMED_MESSAGE', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE']);
    ws.send(toBinary(ClientFrameSchema, create(ClientFrameSchema, { msg: { case: 'create', value: { lookup: await freshLookup(), role: Role.OWNER } } })));
    await until(() => messages.length >= 5);
    expect(serverFrames(messages)[4]!.case).toBe('joined');
    ws.close();
  });

  it('HB6: a message of exactly the size limit is read; one byte more is refused; far more closes the socket', async () => {
    const h = await hub();
    const { ws, messages, closed } = await rawSocket(h.url);
    ws.send(hello);
    ws.send(toBinary(ClientFrameSchema, create(ClientFrameSchema, { msg: { case: 'create', value: { lookup: await freshLookup(), role: Role.OWNER } } })));
    await until(() => messages.length >= 2);
    const atLimit = relayOfSize(MAX_SIGNAL_MESSAGE_BYTES);
    expect(atLimit.byteLength).toBe(MAX_SIGNAL_MESSAGE_BYTES);
    ws.send(atLimit);
    ws.send(relayOfSize(MAX_SIGNAL_MESSAGE_BYTES + 1));
    await until(() => messages.length >= 4);
    const [read, refused] = serverFrames(messages.slice(2)).map((m) => (m.case === 'error' ? m.value.reason : m.case));
    expect(read).toBe('PEER_NOT_CONNECTED'); // parsed and handled: nobody to relay to
    expect(refused).toBe('MESSAGE_TOO_LARGE');
    ws.send(Buffer.alloc(16 * MAX_SIGNAL_MESSAGE_BYTES));
    expect((await closed).code).toBe(1009);
  });

  it('HB7: past the burst, messages are refused as rate limited', async () => {
    const h = await hub({ limits: { messagesPerSecond: 1, messageBurst: 5 } });
    const { ws, messages } = await rawSocket(h.url);
    ws.send(hello); // 1
    for (let i = 0; i < 4; i++) ws.send(Buffer.from([0x0a, 0xff])); // 2..5: malformed, but within the burst
    ws.send(Buffer.from([0x0a, 0xff])); // 6: over
    await until(() => messages.length >= 6);
    const reasons = serverFrames(messages).map((m) => (m.case === 'error' ? m.value.reason : m.case));
    expect(reasons).toEqual(['hello', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE', 'MALFORMED_MESSAGE', 'RATE_LIMITED']);
    ws.close();
  });

  it('HB8: one address may hold maxSessionsPerIp sessions, not one more', async () => {
    const h = await hub({ limits: { maxSessionsPerIp: 2 } });
    const c = await Promise.all([0, 1, 2].map(() => connectClient(h.url)));
    await c[0]!.create(await freshLookup(), Role.OWNER);
    await c[1]!.create(await freshLookup(), Role.OWNER);
    const e = await failure(c[2]!.create(await freshLookup(), Role.OWNER));
    expect([e.code, e.reason, e.details.max]).toEqual(['RESOURCE_EXHAUSTED', 'TOO_MANY_SESSIONS', '2']);
    for (const x of c) x.close();
  });

  it('HB9: a silent socket is dropped by heartbeat and the others are told', async () => {
    const h = await hub({ limits: { heartbeatMs: 50, resumeGraceMs: 100 } });
    const lookup = await freshLookup();
    const owner = await connectClient(h.url);
    await owner.create(lookup, Role.OWNER);
    const { ws } = await rawSocket(h.url);
    ws.send(hello);
    ws.send(toBinary(ClientFrameSchema, create(ClientFrameSchema, { msg: { case: 'join', value: { lookup, role: Role.SCIENTIST } } })));
    const reasons: LeaveReason[] = [];
    owner.on('peerLeft', (p) => reasons.push(p.reason));
    await until(() => h.registry.peerCount === 2);
    (ws as unknown as { _socket: { pause(): void } })._socket.pause(); // alive but deaf: no pongs
    await until(() => reasons.length === 2);
    expect(reasons).toEqual([LeaveReason.DROPPED, LeaveReason.GONE]);
    owner.close();
  });

  it('HB10: a socket that never says hello is closed; a wrong version is refused', async () => {
    const h = await hub({ limits: { helloTimeoutMs: 50 } });
    const { closed } = await rawSocket(h.url);
    expect((await closed).code).toBe(4002);
    const e = await failure(connectClient(h.url, '9.0'));
    expect([e.code, e.reason]).toEqual(['FAILED_PRECONDITION', 'VERSION_MISMATCH']);
  });

  it('HB11: a peer vanishing mid-handshake leaves the owner waiting, other sessions undisturbed, and it can come back', async () => {
    const h = await hub({ limits: { heartbeatMs: 50, resumeGraceMs: 200 } });
    const owner = await createSession({ hubUrl: h.url, kdfIterations: FAST_KDF, connectTimeoutMs: 1000 });
    sessions.push(owner);
    // The scientist joins at the hub, then vanishes before any WebRTC answer.
    const c = await connectClient(h.url);
    const { deriveCodeSecrets } = await import('../../src/duet/code');
    await c.join((await deriveCodeSecrets(owner.code, FAST_KDF)).lookup, Role.SCIENTIST);
    await until(() => owner.state === 'connecting');
    (c as unknown as { close(): void }).close();
    await until(() => owner.state === 'peer-left');
    // Another session on the same hub connects meanwhile.
    const other = await createSession({ hubUrl: h.url, kdfIterations: FAST_KDF });
    const ds = await joinSession({ hubUrl: h.url, code: other.code, kdfIterations: FAST_KDF });
    sessions.push(other, ds);
    await Promise.all([other.connected(), ds.connected()]);
    // Its place is held for the grace period, then a real scientist can join.
    const early = await failure(joinSession({ hubUrl: h.url, code: owner.code, kdfIterations: FAST_KDF }));
    expect(early.message).toMatch(/held for someone who dropped/);
    await until(() => h.registry.peerCount === 3); // owner + the other duet
    const late = await joinSession({ hubUrl: h.url, code: owner.code, kdfIterations: FAST_KDF });
    sessions.push(late);
    await Promise.all([owner.connected(), late.connected()]);
    const health = (await (await fetch(`${h.url}/healthz`)).json()) as { status: string };
    expect(health.status).toBe('ok');
  });

  it('HB13: each peer gets a Flight credential valid only while it holds its place', async () => {
    const h = await hub();
    const lookup = await freshLookup();
    const owner = await connectClient(h.url);
    const o = await owner.create(lookup, Role.OWNER);
    const ds = await connectClient(h.url);
    const d = await ds.join(lookup, Role.SCIENTIST);
    expect(o.flightCredential.byteLength).toBe(32);
    expect(o.flightCredential).not.toEqual(d.flightCredential);
    expect(h.registry.sessionOfCredential(o.flightCredential)).toBe(h.registry.sessionOfCredential(d.flightCredential));
    expect(h.registry.sessionOfCredential(new Uint8Array(32))).toBeUndefined();
    ds.leave();
    await until(() => h.registry.sessionOfCredential(d.flightCredential) === undefined);
    expect(h.registry.sessionOfCredential(o.flightCredential)).toBeDefined();
    owner.close();
    ds.close();
  });

  it('HB12: a dropped peer resumes its slot with its token, and only with it', async () => {
    const h = await hub({ limits: { resumeGraceMs: 5000 } });
    const lookup = await freshLookup();
    const owner = await connectClient(h.url);
    await owner.create(lookup, Role.OWNER);
    const ds = await connectClient(h.url);
    const joined = await ds.join(lookup, Role.SCIENTIST);
    const events: string[] = [];
    owner.on('peerLeft', () => events.push('left'));
    owner.on('peerJoined', (p) => events.push(`joined:${p.peerId === joined.peerId}`));
    ds.close();
    await until(() => events.length === 1);
    const thief = await connectClient(h.url);
    expect((await failure(thief.resume(lookup, joined.peerId, new Uint8Array(16)))).reason).toBe('RESUME_REFUSED');
    const back = await connectClient(h.url);
    const again = await back.resume(lookup, joined.peerId, joined.resumeToken);
    expect(again.peerId).toBe(joined.peerId);
    expect(h.registry.sessionOfCredential(again.flightCredential)).toBeDefined();
    await until(() => events.length === 2);
    expect(events).toEqual(['left', 'joined:true']);
    for (const x of [owner, thief, back]) x.close();
  });
});
