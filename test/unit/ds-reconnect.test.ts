import { afterEach, describe, expect, it, vi } from 'vitest';
import { DuetError } from '../../src/errors';
import { CALL_RECONNECT_WAIT_MS } from '../../src/duet/ds-constants';
import type { DsLink } from '../../src/duet/ds-link';
import { DataScientist } from '../../src/duet/scientist';
import type { Transfers } from '../../src/duet/transfers';

// A link whose calls fail as a dropped DataChannel fails them, until told to answer.
function droppingLink() {
  const listeners = new Set<(e: { peerId: string }) => void>();
  let calls = 0;
  let answer = false;
  const link = {
    handleFrom: () => undefined,
    onEvent: () => undefined,
    peers: [],
    channel: () => ({ emitEvent: async () => undefined }),
    call: async () => {
      calls++;
      if (!answer) throw new DuetError('UNAVAILABLE', 'The control channel was closed.', { reason: 'PEER_CONNECTION_LOST' });
      return { budgets: [] };
    },
    on: (_event: 'channel', l: (e: { peerId: string }) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  } as unknown as DsLink;
  return {
    link,
    calls: () => calls,
    listening: () => listeners.size,
    reconnect: (answerNow: boolean) => {
      answer = answerNow;
      for (const l of [...listeners]) l({ peerId: 'do' });
    },
  };
}

const noTransfers = { expect: () => new Promise(() => undefined) } as unknown as Pick<Transfers, 'expect'>;

afterEach(() => vi.useRealTimers());

describe('a DS call the link dropped under', () => {
  it('RD19: is made again when a channel is back, and fails as it came once CALL_RECONNECT_WAIT_MS passes without one', async () => {
    vi.useFakeTimers();
    const l = droppingLink();
    const ds = new DataScientist(l.link, noTransfers);
    let settled: unknown = 'pending';
    const budgets = ds.budgets().then((v) => (settled = v), (e: unknown) => (settled = e));
    await vi.advanceTimersByTimeAsync(0);
    expect(l.calls()).toBe(1);
    l.reconnect(false); // back, but dropped again under the second call
    await vi.advanceTimersByTimeAsync(0);
    expect(l.calls()).toBe(2);
    await vi.advanceTimersByTimeAsync(CALL_RECONNECT_WAIT_MS - 2);
    expect(settled).toBe('pending');
    await vi.advanceTimersByTimeAsync(2);
    await budgets;
    expect(settled).toMatchObject({ code: 'UNAVAILABLE', reason: 'PEER_CONNECTION_LOST' });
    expect(l.listening()).toBe(0); // no listener left behind

    const again = droppingLink();
    const ds2 = new DataScientist(again.link, noTransfers);
    const ok = ds2.budgets();
    await vi.advanceTimersByTimeAsync(1000);
    again.reconnect(true);
    expect(await ok).toEqual([]);
    expect(again.calls()).toBe(2);
  });
});
