import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwner, joinAsScientist, loadDemoStore, type OwnerHandle, type ScientistHandle } from '../../src/node';
import { isTensor, type Tensor } from '../../src/tensor';
import type { NumericColumn, Table } from '../../src/duet/data/table';
import type { Hub } from '../../signaling-server/hub';
import { FAST_KDF, testHub } from '../helpers/hub';
import { rejection } from '../unit/ds-helpers';

let hub: Hub;
let owner: OwnerHandle;
let scientist: ScientistHandle;

beforeAll(async () => {
  hub = await testHub();
  owner = await createOwner({ hubUrl: hub.url, kdfIterations: FAST_KDF, store: await loadDemoStore() });
  scientist = await joinAsScientist({ hubUrl: hub.url, code: owner.session.code, kdfIterations: FAST_KDF });
  await Promise.all([owner.session.connected(), scientist.session.connected()]);
});
afterAll(async () => {
  scientist?.close();
  owner?.close();
  await hub?.close();
});

/** Approves the next request the DO receives, the way the DO's tab does on a click. */
function approveNext(message = 'approved'): Promise<void> {
  return new Promise((resolve) => {
    const off = owner.owner.on('change', (topic) => {
      const next = topic === 'requests' ? owner.owner.pending()[0] : undefined;
      if (!next) return;
      off();
      owner.owner.approve(next.id, message);
      resolve();
    });
  });
}

describe('two Node peers, the whole flow through the API', () => {
  it('NO1: list, remote mean, request, approval, value; DP mean within budget; over budget refused; a denial carries the message', async () => {
    const { duet } = scientist;
    const assets = await duet.store.list();
    expect(assets.map((a) => a.id)).toEqual(['adult', 'mnist-train-images', 'mnist-train-labels', 'mnist-test-images', 'mnist-test-labels']);
    expect(assets[0]!.columns?.find((c) => c.name === 'age')?.domain).toEqual({ min: 17, max: 90 });

    const ages = (owner.owner.store.value('adult') as Table).columns.find((c) => c.name === 'age') as NumericColumn;
    const trueMean = Array.from(ages.values).reduce((a, b) => a + b, 0) / ages.values.length;
    const meanAge = duet.asset('adult').col('age').mean();
    const info = await meanAge.info();
    expect(info.type).toMatchObject({ kind: 'tensor', shape: [] });
    const approved = approveNext('ok for the report');
    const value = await meanAge.get({ reason: 'Mean age for the report', timeoutMs: 30_000 });
    await approved;
    expect(isTensor(value) && (value as Tensor<'float64'>).data[0]).toBeCloseTo(trueMean, 10);

    const dp = await meanAge.getDP({ epsilon: 0.5 });
    expect(dp.value).toBeGreaterThanOrEqual(17);
    expect(dp.value).toBeLessThanOrEqual(90);
    expect(dp.remaining.epsilon).toBeCloseTo(0.5);
    const over = await rejection(meanAge.getDP({ epsilon: 0.8 }));
    expect([over.code, over.reason]).toEqual(['RESOURCE_EXHAUSTED', 'BUDGET_EXCEEDED']);
    expect(over.details.remainingEpsilon).toBeCloseTo(0.5);

    const hours = duet.asset('adult').col('hr_per_week').histogram({ bins: 10, range: [0, 100] });
    const req = await hours.request('Hours per week');
    const denied = hours.get();
    owner.owner.deny(req.id, 'Use a DP histogram instead.');
    const e = await rejection(denied);
    expect([e.code, e.reason, e.details.message]).toEqual(['PERMISSION_DENIED', 'REQUEST_DENIED', 'Use a DP histogram instead.']);

    // A 500 KB tensor crosses in chunks, with progress, once approved.
    const progress: number[] = [];
    duet.on('transfer', (t) => progress.push(t.bytes));
    const imagesApproved = approveNext();
    const images = (await duet.asset('mnist-test-images').get({ reason: 'Show the digits' })) as Tensor;
    await imagesApproved;
    expect([images.dtype, images.shape]).toEqual(['uint8', [640, 28, 28]]);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(640 * 784);
  });

  it('RD18: a request approved while the scientist is away reaches the scientist once back, with its value', async () => {
    const { duet } = scientist;
    const ages = (owner.owner.store.value('adult') as Table).columns.find((c) => c.name === 'age') as NumericColumn;
    const trueMax = Math.max(...Array.from(ages.values));
    // The scientist's side has the DO's answer to the request: from here on, only the decision is outstanding.
    const arrived = new Promise<string>((resolve) => {
      const off = duet.on('request', (r) => {
        if (r.status !== 'pending') return;
        off();
        resolve(r.id);
      });
    });
    const value = duet.asset('adult').col('age').max().get({ reason: 'max age, asked just before a network hiccup', timeoutMs: 15_000 });
    const id = await arrived;
    const away = new Promise<void>((resolve) => owner.session.on('state', (s) => s === 'reconnecting' && resolve()));
    const activity: string[] = [];
    owner.owner.on('activity', (a) => activity.push(a.text));
    scientist.session.channel().close(); // the direct link drops; both stay in the hub and rebuild it
    await away;
    owner.owner.approve(id, 'fine');
    const got = await value;
    expect(isTensor(got) && (got as Tensor<'float64'>).data[0]).toBe(trueMax);
    expect(activity.some((t) => t.includes('is away'))).toBe(true);
  }, 30_000);

  it('RD19: a value request whose answer the dropped link lost is made again once back, and queued once', async () => {
    const { duet } = scientist;
    const reason = 'min age, asked as the link drops';
    let drops = 0;
    // The DO has queued the request and is about to answer: the link drops under the answer.
    const off = owner.owner.on('change', (topic) => {
      if (topic !== 'requests' || drops > 0 || !owner.owner.pending().some((r) => r.reason === reason)) return;
      drops++;
      scientist.session.channel().close();
    });
    const approved = new Promise<void>((resolve) => {
      const stop = duet.on('request', (r) => {
        if (r.reason !== reason || r.status !== 'pending') return;
        stop();
        owner.owner.approve(r.id, 'fine');
        resolve();
      });
    });
    const value = await duet.asset('adult').col('age').min().get({ reason, timeoutMs: 15_000 });
    await approved;
    off();
    expect(drops).toBe(1);
    expect(isTensor(value) && (value as Tensor<'float64'>).data[0]).toBe(17);
    expect(owner.owner.requests().filter((r) => r.reason === reason)).toHaveLength(1);
  }, 30_000);
});
