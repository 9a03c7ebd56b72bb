import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_ENTROPY_BITS, deriveCodeSecrets, formatCode, generateCode, normalizeCode } from '../../src/duet/code';
import { openRelay, sealRelay } from '../../src/transport/relay-seal';
import { TokenBucket } from '../../signaling-server/rate-limit';
import { MAX_SIGNAL_MESSAGE_BYTES, resolveHubLimits } from '../../signaling-server/constants';
import { parseIceServers } from '../../signaling-server/ice';
import { isDuetError } from '../../src/errors';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isDuetError(e) ? e.reason : 'not a DuetError';
  }
  return undefined;
}

describe('session codes', () => {
  it('SC1: codes carry at least 40 bits and use every symbol about evenly', () => {
    expect(CODE_ENTROPY_BITS).toBeGreaterThanOrEqual(40);
    const counts = new Map<string, number>();
    const n = 4000;
    for (let i = 0; i < n; i++) for (const c of generateCode()) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // Each symbol expects n*10/32 = 1250 hits; a bias of 20% would be a bug, not chance (sd ~ 35).
    for (const v of counts.values()) expect(Math.abs(v - 1250)).toBeLessThan(250);
  });

  it('SC2: forgives case, dashes, spaces and look-alike letters', () => {
    const code = generateCode();
    expect(normalizeCode(formatCode(code).toLowerCase())).toBe(code);
    expect(normalizeCode(' 7k3mq pxot2 ')).toBe('7K3MQPX0T2');
    expect(normalizeCode('ilIL0-oOOOO')).toBe('1111000000');
    expect(reasonOf(() => normalizeCode('ABC'))).toBe('BAD_CODE');
    expect(reasonOf(() => normalizeCode('UUUUU-UUUUU'))).toBe('BAD_CODE'); // U is not in the alphabet
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it('SC3: the lookup and key depend on the code; equal codes derive equal secrets', async () => {
    const a = await deriveCodeSecrets('AAAAA-AAAAA', 1000);
    const b = await deriveCodeSecrets('aaaaaaaaaa', 1000);
    const c = await deriveCodeSecrets('AAAAA-AAAAB', 1000);
    expect(a.lookup).toEqual(b.lookup);
    expect(a.lookup).not.toEqual(c.lookup);
    expect(a.lookup.byteLength).toBe(32);
  });
});

describe('relay sealing', () => {
  it('SC4: only holders of the code open a relayed payload, and only as sent from/to', async () => {
    const { key } = await deriveCodeSecrets('AAAAA-AAAAA', 1000);
    const { key: other } = await deriveCodeSecrets('BBBBB-BBBBB', 1000);
    const sealed = await sealRelay(key, 'p1', 'p2', new TextEncoder().encode('offer'));
    expect(new TextDecoder().decode(await openRelay(key, 'p1', 'p2', sealed))).toBe('offer');
    await expect(openRelay(other, 'p1', 'p2', sealed)).rejects.toMatchObject({ reason: 'BAD_SEAL' });
    await expect(openRelay(key, 'p3', 'p2', sealed)).rejects.toMatchObject({ reason: 'BAD_SEAL' });
    const flipped = sealed.slice();
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    await expect(openRelay(key, 'p1', 'p2', flipped)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(openRelay(key, 'p1', 'p2', new Uint8Array(5))).rejects.toMatchObject({ reason: 'BAD_SEAL' });
  });
});

describe('hub limits', () => {
  it('HL1: the token bucket allows exactly the burst, then the rate', () => {
    let t = 0;
    const b = new TokenBucket(10, 3, () => t);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    t += 99;
    expect(b.take()).toBe(false); // 0.99 of a token
    t += 1;
    expect(b.take()).toBe(true);
  });

  it('HL2: limits default to their constants and bad settings are configuration errors', () => {
    expect(resolveHubLimits().maxMessageBytes).toBe(MAX_SIGNAL_MESSAGE_BYTES);
    expect(reasonOf(() => resolveHubLimits({ maxMessageBytes: 10 }))).toBe('BAD_CONFIG');
    expect(reasonOf(() => resolveHubLimits({ maxPeersPerSession: 4, defaultPeersPerSession: 5 }))).toBe('BAD_CONFIG');
    expect(reasonOf(() => resolveHubLimits({ messagesPerSecond: 1.5 }))).toBe('BAD_CONFIG');
  });

  it('HL3: DUET_ICE_SERVERS is parsed and checked', () => {
    expect(parseIceServers(undefined)).toEqual([]);
    expect(parseIceServers('[{"urls":["turn:t.example:3478"],"username":"u","credential":"c"}]')).toEqual([
      { urls: ['turn:t.example:3478'], username: 'u', credential: 'c' },
    ]);
    expect(reasonOf(() => parseIceServers('{'))).toBe('BAD_CONFIG');
    expect(reasonOf(() => parseIceServers('[{"url":"stun:x"}]'))).toBe('BAD_CONFIG');
    expect(reasonOf(() => parseIceServers('{"urls":"stun:x"}'))).toBe('BAD_CONFIG');
  });
});
