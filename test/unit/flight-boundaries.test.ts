import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDuetError } from '../../src/errors';
import { ticketTtlOf } from '../../src/transport/flight/ticket-spare';
import { FLIGHT_PORT, FlightRelay, flightPortFromEnv } from '../../signaling-server/flight';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_ONLY = /from '(node:[^']+|@grpc\/grpc-js|ws|http|https|net|fs|path|os|crypto|stream)'/;

describe('module boundaries', () => {
  it('src/ outside adapters and *-node.ts imports no Node-only module (it runs in browsers)', () => {
    const offenders = files('src')
      .filter((f) => !f.startsWith(join('src', 'adapters')) && !f.endsWith('-node.ts'))
      .filter((f) => NODE_ONLY.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('nothing under src/ imports signaling-server/', () => {
    expect(files('src').filter((f) => /(from|import)\s*\(?\s*'[^']*signaling-server/.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});

describe('Flight configuration', () => {
  it('FL8: FLIGHT_PORT comes from the environment, validated, defaulting to the named constant', () => {
    expect(flightPortFromEnv({})).toBe(FLIGHT_PORT);
    expect(flightPortFromEnv({ FLIGHT_PORT: '0' })).toBe(0);
    expect(flightPortFromEnv({ FLIGHT_PORT: '9000' })).toBe(9000);
    for (const bad of ['x', '70000', '-1', '1.5']) {
      try {
        flightPortFromEnv({ FLIGHT_PORT: bad });
        expect.unreachable();
      } catch (e) {
        expect(isDuetError(e) && [e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'BAD_CONFIG']);
      }
    }
  });

  it('FL8: a bad relay setting is a configuration error naming the limit', () => {
    for (const options of [{ ticketTtlMs: 0 }, { maxBufferedBytes: -5 }, { stallTimeoutMs: 1.5 }, { maxTicketsPerSession: 0 }]) {
      try {
        new FlightRelay({ authenticate: () => ({ sessionId: 's' }), ...options }).close();
        expect.unreachable();
      } catch (e) {
        expect(isDuetError(e) && e.reason).toBe('BAD_CONFIG');
        expect(isDuetError(e) && e.details['limit']).toBe(Object.keys(options)[0]);
      }
    }
  });

  it('FL8: a session cannot hold more than maxTicketsPerSession open tickets', () => {
    const relay = new FlightRelay({ authenticate: () => ({ sessionId: 's' }), maxTicketsPerSession: 2 });
    try {
      relay.createTicket({ sessionId: 's' });
      relay.createTicket({ sessionId: 's' });
      expect(() => relay.createTicket({ sessionId: 's' })).toThrowError(/maxTicketsPerSession=2/);
      expect(relay.createTicket({ sessionId: 'other' }).byteLength).toBe(16);
    } finally {
      relay.close();
    }
  });
});

describe('Flight handshake and tokens', () => {
  it('FL6: an unknown protocol version is FAILED_PRECONDITION; tokens expire after tokenTtlMs', async () => {
    const clock = { t: 1_000 };
    const relay = new FlightRelay({ authenticate: () => ({ sessionId: 's' }), tokenTtlMs: 10, now: () => clock.t });
    try {
      await expect(relay.handshake(7, new Uint8Array(0))).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'VERSION_MISMATCH' });
      const token = await relay.handshake(1, new Uint8Array(0));
      expect(relay.principalOf(`Bearer ${token}`)).toEqual({ sessionId: 's' });
      clock.t += 10;
      expect(() => relay.principalOf(`Bearer ${token}`)).toThrowError(/unknown or expired/);
      expect(() => relay.principalOf(token)).toThrowError(/unknown or expired/);
    } finally {
      relay.close();
    }
  });
});

describe('Relay failures without servers', () => {
  const msg = (n: number) => new Uint8Array(n).fill(1);

  it('FL10: a transfer with no progress for stallTimeoutMs fails both sides with DEADLINE_EXCEEDED/STALLED', async () => {
    const clock = { t: 0 };
    const relay = new FlightRelay({ authenticate: () => ({ sessionId: 's' }), stallTimeoutMs: 100, now: () => clock.t });
    const who = { sessionId: 's' };
    try {
      const ticket = relay.createTicket(who);
      let release: () => void = () => undefined;
      const stuck = new Promise<void>((r) => (release = r));
      const putting = relay.put(who, ticket, (async function* () {
        yield msg(10);
        await stuck;
      })());
      putting.catch(() => undefined);
      const got: number[] = [];
      const getting = (async () => {
        for await (const m of relay.get(who, ticket)) got.push(m.byteLength);
      })();
      getting.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 0));
      clock.t += 101;
      relay.sweep();
      // The error says which side went quiet and how far the transfer got.
      await expect(getting).rejects.toMatchObject({
        code: 'DEADLINE_EXCEEDED',
        reason: 'STALLED',
        message: expect.stringMatching(/the producer sent nothing for 0\.1 s .*0\.0 MB relayed/),
        details: { limit: 'stallTimeoutMs', idle: 'producer', relayedBytes: 10, waitingBytes: 0 },
      });
      release();
      await expect(putting).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED', reason: 'STALLED' });
      expect(got).toEqual([10]);
    } finally {
      relay.close();
    }
  });

  it('FL10: a consumer that stops taking is named as the stalled side, with the bytes waiting for it', async () => {
    const clock = { t: 0 };
    const relay = new FlightRelay({ authenticate: () => ({ sessionId: 's' }), stallTimeoutMs: 100, maxBufferedBytes: 25, now: () => clock.t });
    const who = { sessionId: 's' };
    try {
      const ticket = relay.createTicket(who);
      const putting = relay.put(who, ticket, (async function* () {
        for (let i = 0; i < 10; i++) yield msg(10);
      })());
      putting.catch(() => undefined);
      const reader = relay.get(who, ticket);
      expect((await reader.next()).value?.byteLength).toBe(10);
      await new Promise((r) => setTimeout(r, 0));
      clock.t += 101;
      relay.sweep();
      await expect(putting).rejects.toMatchObject({
        reason: 'STALLED',
        message: expect.stringMatching(/the consumer took nothing for 0\.1 s, with 0\.0 MB waiting/),
        details: { idle: 'consumer', relayedBytes: 30, waitingBytes: 20 },
      });
    } finally {
      relay.close();
    }
  });

  it('FL10: the stall clock starts when both sides have arrived, not when the ticket was issued', async () => {
    const clock = { t: 0 };
    const relay = new FlightRelay({ authenticate: () => ({ sessionId: 's' }), stallTimeoutMs: 100, ticketTtlMs: 1000, now: () => clock.t });
    const who = { sessionId: 's' };
    try {
      const ticket = relay.createTicket(who);
      clock.t = 500;
      let release: () => void = () => undefined;
      const later = new Promise<void>((r) => (release = r));
      const putting = relay.put(who, ticket, (async function* () {
        await later;
        yield msg(10);
      })());
      const reader = relay.get(who, ticket);
      const first = reader.next();
      await new Promise((r) => setTimeout(r, 0));
      relay.sweep();
      clock.t += 100;
      relay.sweep();
      release();
      expect((await first).value?.byteLength).toBe(10);
      expect((await reader.next()).done).toBe(true);
      await expect(putting).resolves.toBe(10);
    } finally {
      relay.close();
    }
  });

  it('FL10: a consumer that stops reading fails the producer with CANCELLED/CONSUMER_GONE', async () => {
    const relay = new FlightRelay({ authenticate: () => ({ sessionId: 's' }), maxBufferedBytes: 16 });
    const who = { sessionId: 's' };
    try {
      const ticket = relay.createTicket(who);
      const putting = relay.put(who, ticket, (async function* () {
        for (let i = 0; i < 100; i++) yield msg(10);
      })());
      putting.catch(() => undefined);
      for await (const m of relay.get(who, ticket)) {
        expect(m.byteLength).toBe(10);
        break;
      }
      await expect(putting).rejects.toMatchObject({ code: 'CANCELLED', reason: 'CONSUMER_GONE' });
    } finally {
      relay.close();
    }
  });
});

describe('Declared ticket lifetimes (FL17)', () => {
  it('FL17: only a positive integer of ms counts; anything else means "not declared", not an error', () => {
    expect(ticketTtlOf('60000')).toBe(60_000);
    expect(ticketTtlOf('1')).toBe(1);
    expect(ticketTtlOf('999999999999999')).toBe(999_999_999_999_999);
    for (const bad of [undefined, null, '', '0', '-1', '1.5', '1e3', ' 60000', 'abc', '9999999999999999']) expect(ticketTtlOf(bad), String(bad)).toBeUndefined();
  });
});
