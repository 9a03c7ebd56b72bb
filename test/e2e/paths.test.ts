import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createSession, joinSession, type Session } from '../../src/node';
import { ALL_PATHS } from '../../src/duet/paths';
import { Transfers } from '../../src/duet/transfers';
import { BenchPrepare, BenchSend, serveBench } from '../../src/duet/bench';
import { bytesPerElement, DTYPES, hashBytes, sizeOf, tensorBytes, type DType } from '../../src/tensor';
import { PATH_NAMES } from '../../src/transport/paths/types';
import { randomId } from '../../src/util/bytes';
import { launch, userPage, waitForState } from '../helpers/browser';

const hubUrl = inject('hubUrl');
const SHAPES = [[], [0], [7], [13, 17], [300, 301]];
let browser: Browser;
const sessions: Session[] = [];

beforeAll(async () => {
  browser = await launch(inject('chromiumPath'));
});
afterAll(async () => {
  for (const s of sessions) s.close();
  await browser?.close();
});

async function benchOwnerPage(): Promise<{ page: Page; code: string }> {
  const { page } = await userPage(browser, `${hubUrl}/#/bench`);
  const code = (await page.getByTestId('session-code').textContent({ timeout: 30_000 }))!.replace('-', '');
  return { page, code };
}

async function benchScientistPage(code: string): Promise<Page> {
  const { page } = await userPage(browser, `${hubUrl}/#/bench/${code}`);
  await waitForState(page, 'connected');
  await page.waitForFunction(() => window.duetBench !== undefined);
  return page;
}

async function roundTrips(page: Page): Promise<string[]> {
  const failures: string[] = [];
  for (const path of PATH_NAMES) {
    for (const dtype of DTYPES) {
      for (const shape of SHAPES) {
        const r = await page.evaluate(({ dtype, shape, path }) => window.duetBench!.roundTrip(dtype as DType, shape, path), { dtype, shape, path });
        const expectedBytes = sizeOf(shape) * bytesPerElement(dtype);
        if (r.received !== r.sent || r.bytes !== expectedBytes) failures.push(`${path} ${dtype} [${shape}]: ${JSON.stringify(r)}`);
      }
    }
  }
  return failures;
}

describe('tensors between browsers and Node, on every path', () => {
  it('TP1: browser to browser: every dtype and shape arrives exactly on webrtc, arrow-rtc and arrow-flight', async () => {
    const owner = await benchOwnerPage();
    const scientist = await benchScientistPage(owner.code);
    expect(await roundTrips(scientist)).toEqual([]);
    // The benchmark's raw ceilings count every byte they move (DATA_LOSS otherwise), striped too.
    const rates = await scientist.evaluate(async () => [
      await window.duetBench!.ceiling('datachannel', 1 << 20, 1),
      await window.duetBench!.ceiling('flight', 1 << 20, 1),
      await window.duetBench!.stripedCeiling(3 << 20, 0.3, 1),
    ]);
    for (const r of rates) expect(r).toBeGreaterThan(0);
    await Promise.all([owner.page.context().close(), scientist.context().close()]);
  });

  it('TP1: Node owner to browser scientist, every path', async () => {
    const owner = await createSession({ hubUrl });
    sessions.push(owner);
    serveBench(owner, new Transfers(owner, ALL_PATHS));
    const scientist = await benchScientistPage(owner.code);
    expect(await roundTrips(scientist)).toEqual([]);
    await scientist.context().close();
  });

  it('TP1: browser owner to Node scientist, every path', async () => {
    const owner = await benchOwnerPage();
    const scientist = await joinSession({ hubUrl, code: owner.code });
    sessions.push(scientist);
    const inbox = new Transfers(scientist, ALL_PATHS);
    await scientist.connected();
    const failures: string[] = [];
    for (const path of PATH_NAMES) {
      for (const dtype of DTYPES) {
        for (const shape of SHAPES) {
          await scientist.call(BenchPrepare, { dtype, shape: shape.map(BigInt), seed: 1 });
          const transferId = randomId(12);
          const [t, sent] = await Promise.all([inbox.expect(transferId), scientist.call(BenchSend, { transferId, path })]);
          if ((await hashBytes(tensorBytes(t))) !== sent.hash || t.dtype !== dtype || t.shape.join() !== shape.join()) failures.push(`${path} ${dtype} [${shape}]`);
        }
      }
    }
    expect(failures).toEqual([]);
    await owner.page.context().close();
  });
});
