import { afterEach, describe, expect, it } from 'vitest';
import { createSession, joinSession, type Session } from '../../src/node';
import { ALL_PATHS } from '../../src/duet/paths';
import { Transfers } from '../../src/duet/transfers';
import { DuetError } from '../../src/errors';
import { PATH_NAMES, type PathName } from '../../src/transport/paths/types';
import type { Hub } from '../../signaling-server/hub';
import { FAST_KDF, testHub } from '../helpers/hub';
import { sampleTensor } from '../helpers/tensors';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function pair(hub?: Hub) {
  const h = hub ?? (await testHub());
  if (!hub) cleanup.push(() => h.close());
  const owner = await createSession({ hubUrl: h.url, kdfIterations: FAST_KDF });
  const scientist = await joinSession({ hubUrl: h.url, code: owner.code, kdfIterations: FAST_KDF });
  cleanup.push(() => owner.close(), () => scientist.close());
  const out = new Transfers(owner, ALL_PATHS);
  const inbox = new Transfers(scientist, ALL_PATHS);
  await Promise.all([owner.connected(), scientist.connected()]);
  return { hub: h, owner, scientist, out, inbox };
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'completed';
  } catch (e) {
    return DuetError.from(e).code;
  }
}

// 64 MB: long enough on every path that the interruption lands mid-transfer.
const big = () => sampleTensor('float64', [8 * 1024 * 1024], 3);

describe('transfers that do not complete fail loudly, never hang', () => {
  it.each(PATH_NAMES)('TP5: a scientist who cancels stops the owner too (%s)', async (path: PathName) => {
    const { out, inbox } = await pair();
    const ac = new AbortController();
    let started = false;
    const got = outcome(inbox.expect('c', { signal: ac.signal, onProgress: () => (started = true) }));
    const sent = outcome(out.send(big(), { transferId: 'c', path }));
    while (!started) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    expect(await got).toBe('CANCELLED');
    expect(await sent).toBe('CANCELLED');
  });

  it.each(PATH_NAMES)('TP4: an owner who vanishes mid-transfer fails the scientist promptly (%s)', async (path: PathName) => {
    const { owner, out, inbox } = await pair();
    let started = false;
    const got = outcome(inbox.expect('v', { onProgress: () => (started = true), timeoutMs: 20_000 }));
    void out.send(big(), { transferId: 'v', path }).catch(() => undefined);
    while (!started) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    owner.close();
    expect(['UNAVAILABLE', 'ABORTED', 'CANCELLED', 'DATA_LOSS']).toContain(await got);
    expect(Date.now() - t0).toBeLessThan(15_000); // well before the 20 s deadline: the loss was noticed, not timed out
  });

  it('TP6: the hub going away mid-transfer fails a Flight transfer on both sides', async () => {
    const { hub, out, inbox } = await pair(await testHub());
    let started = false;
    const got = outcome(inbox.expect('h', { onProgress: () => (started = true), timeoutMs: 20_000 }));
    const sent = outcome(out.send(big(), { transferId: 'h', path: 'arrow-flight' }));
    while (!started) await new Promise((r) => setTimeout(r, 5));
    await hub.close();
    expect(await got).toBe('UNAVAILABLE');
    expect(await sent).toBe('UNAVAILABLE');
  });
});
