import { describe, expect, it } from 'vitest';
import { MAX_UNDELIVERED_PER_SCIENTIST } from '../../src/duet/ds-constants';
import { Undelivered } from '../../src/duet/undelivered';

describe('decisions kept for a scientist who is away', () => {
  it('RD18: kept per scientist until their time is up, oldest first, taken once; the limit holds at its edge', () => {
    let now = 1000;
    const u = new Undelivered<string>(() => now);
    u.hold('ds1', 'a', 2000);
    u.hold('ds1', 'b', 1500);
    u.hold('ds2', 'c', 5000);
    now = 1600; // b's time is up
    expect(u.take('ds1')).toEqual(['a']);
    expect(u.take('ds1')).toEqual([]);
    expect(u.count('ds2')).toBe(1);

    for (let i = 1; i < MAX_UNDELIVERED_PER_SCIENTIST; i++) u.hold('ds2', `x${i}`, 5000);
    expect(u.count('ds2')).toBe(MAX_UNDELIVERED_PER_SCIENTIST);
    let refused: unknown;
    try {
      u.hold('ds2', 'one too many', 5000);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ code: 'RESOURCE_EXHAUSTED', reason: 'LIMIT_EXCEEDED', details: { limit: 'MAX_UNDELIVERED_PER_SCIENTIST' } });
    now = 5000; // all expired: room again, nothing to deliver
    expect(u.take('ds2')).toEqual([]);
    u.hold('ds2', 'later', 6000);
    expect(u.take('ds2')).toEqual(['later']);
  });
});
