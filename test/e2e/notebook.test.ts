import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadDemoStore } from '../../src/node';
import type { NumericColumn, Table } from '../../src/duet/data/table';
import { launch, userPage, waitForState } from '../helpers/browser';

const hubUrl = inject('hubUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch(inject('chromiumPath'));
});
afterAll(async () => {
  await browser?.close();
});

/** An owner tab with the demo data loaded and a scientist tab joined to it. */
async function pair(beforeJoin?: (ds: Page) => Promise<void>) {
  const owner = await userPage(browser, `${hubUrl}/#/owner`);
  const code = (await owner.page.getByTestId('session-code').textContent({ timeout: 20_000 }))!.replace('-', '');
  await owner.page.locator('[data-testid="asset"][data-asset-id="adult"]').waitFor();
  const ds = await userPage(browser, `${hubUrl}/#/join`);
  await beforeJoin?.(ds.page);
  await ds.page.goto(`${hubUrl}/#/join/${code}`);
  await Promise.all([waitForState(owner.page, 'connected'), waitForState(ds.page, 'connected')]);
  return { owner, ds };
}

const cell = (page: Page, i: number) => page.locator(`[data-testid="cell"][data-index="${i}"]`);
const cellText = (page: Page, i: number) => cell(page, i).getByTestId('cell-output').textContent();

async function approveNext(owner: Page, message?: string): Promise<string> {
  await owner.getByTestId('request-card').first().waitFor({ timeout: 30_000 });
  // Pin the card by its request id, so a re-render cannot swap it under the click.
  const id = (await owner.getByTestId('request-card').first().getAttribute('data-request-id'))!;
  const card = owner.locator(`[data-testid="request-card"][data-request-id="${id}"]`);
  const reason = (await card.locator('.request-reason').textContent())!;
  if (message) await card.getByTestId('decision-message').fill(message);
  await card.getByTestId('approve').click();
  await card.waitFor({ state: 'detached' });
  return reason;
}

async function addCell(page: Page, code: string): Promise<number> {
  await page.getByTestId('add-cell').click();
  const n = await page.getByTestId('cell').count();
  await cell(page, n - 1).locator('.cm-content').fill(code);
  return n - 1;
}

describe('the example notebook, in two browser tabs', () => {
  it('E2E5: browse, remote mean requested and approved, DP mean within budget, over budget refused, a denial shows the message', async () => {
    const store = await loadDemoStore();
    const ages = (store.value('adult') as Table).columns.find((c) => c.name === 'age') as NumericColumn;
    const trueMean = Array.from(ages.values).reduce((a, b) => a + b, 0) / ages.values.length;
    const { owner, ds } = await pair();
    const o = owner.page;
    const d = ds.page;
    expect(await d.getByTestId('cell').count(), 'NB6: the example opens by default').toBe(8);

    await d.getByTestId('run-all').click();
    // The DS browses the store: metadata only. The owner's tab probes its paths right after
    // connecting, and the first call can wait behind that (~1.5 s on this machine).
    await expect.poll(() => cellText(d, 0), { timeout: 20_000 }).toContain('UCI Adult (census income)');
    // The remote mean waits for the owner, who sees who asked, why, the lineage and a preview.
    const card = o.getByTestId('request-card').first();
    await card.waitFor({ timeout: 30_000 });
    expect(await card.textContent()).toContain('Average age for the report');
    expect(await card.getByTestId('request-lineage').textContent()).toBe('adult → column → mean');
    expect(await card.getByTestId('request-preview').textContent()).toContain(String(Number(trueMean.toPrecision(6))).slice(0, 5));
    await expect.poll(() => o.getByTestId('pending-count').textContent(), { message: 'E2E7: the owner sees one request pending' }).toBe('1');
    await expect.poll(() => d.getByTestId('pending-count').textContent(), { message: 'E2E7: the scientist sees one request pending' }).toBe('1');
    await approveNext(o, 'Fine for the report.');
    await expect.poll(() => cell(d, 3).getByTestId('out-scalar').textContent(), { timeout: 20_000 }).toContain(String(Number(trueMean.toPrecision(6))));

    // The DP mean needs no click and stays within budget.
    await expect.poll(() => cell(d, 4).getByTestId('out-dp').textContent(), { timeout: 20_000 }).toContain('budget left on this asset: ε = 0.5');
    // Histogram of hours per week, drawn; then the digits with their labels.
    expect(await approveNext(o)).toContain('Distribution of weekly working hours');
    await cell(d, 5).locator('svg').first().waitFor({ timeout: 20_000 });
    const reasons = [await approveNext(o), await approveNext(o)].join(' ');
    expect(reasons).toContain('Look at a few digits');
    expect(reasons).toContain('Their labels');
    await expect.poll(() => cell(d, 6).locator('canvas').count(), { timeout: 20_000 }).toBe(16);
    // The last cell asks for more than is left: refused, with the remaining budget, on both sides.
    await expect.poll(() => cell(d, 7).getAttribute('data-status'), { timeout: 20_000 }).toBe('error');
    const refusal = (await cellText(d, 7))!;
    expect(refusal).toContain('Over the privacy budget');
    expect(refusal).toContain('remaining ε=0.5');
    await expect.poll(() => d.getByTestId('budget-left').textContent(), { message: 'E2E7: budget left, scientist' }).toContain('0.5 of 1 on adult');
    await expect.poll(() => o.getByTestId('budget-left').textContent(), { message: 'E2E7: budget left, owner' }).toContain('0.5 of 1 on adult');
    await expect.poll(() => d.locator('[data-testid="transfer"][data-state="done"]').count(), { message: 'E2E7: transfers with progress bars' }).toBe(4);
    expect(await o.locator('[data-testid="transfer"] progress').count()).toBe(4);
    // NG15: both sides see the path and codec chosen for each value, and why.
    const picks = [await o.getByTestId('transfer-pick').allTextContents(), await d.getByTestId('transfer-pick').allTextContents()];
    for (const side of picks) {
      expect(side).toHaveLength(4);
      for (const p of side) expect(p, 'NG15: pick and reason shown').toMatch(/^(webrtc|arrow-rtc|arrow-flight) · [a-z0-9-]+: .+/);
    }
    expect(picks[0]).toEqual(picks[1]);

    // A denied request shows the owner's message in the cell.
    const i = await addCell(d, "await adult.col('age').get({ reason: 'All the ages, please' })");
    await cell(d, i).getByTestId('run-cell').click();
    const denyCard = o.getByTestId('request-card').first();
    await denyCard.waitFor({ timeout: 30_000 });
    expect(await denyCard.textContent()).toContain('All the ages, please');
    await denyCard.getByTestId('decision-message').fill('Too detailed: use a DP histogram instead.');
    await denyCard.getByTestId('deny').click();
    await expect.poll(() => cellText(d, i), { timeout: 20_000 }).toContain('The data owner denied the request');
    expect(await cellText(d, i)).toContain('Too detailed: use a DP histogram instead.');

    // The owner's audit log holds it all, in order.
    await o.getByTestId('tab-audit').click();
    const types = await o.getByTestId('audit-entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toContain('release');
    expect(types).toContain('dp_spend');
    expect(types).toContain('dp_refused');
    await owner.context.close();
    await ds.context.close();
  });
});

const BAD_CELLS = [
  `await duet.asset('adult').op('eval', [], { code: 'steal()' }).run()`,
  `await duet.runPlan({ nodes: [{ kind: 'op', op: 'add', inputs: [3, 4], args: {} }], output: 0 })`,
  `const px = duet.asset('mnist-test-images').reshape([640, 784]);\nawait px.matmul(px).run()`,
  `await duet.pointer('00000000000000000000000000000000').get({ reason: 'guess' })`,
  `const ages = duet.asset('adult').col('age');\nawait ages.run();\nawait ages.delete();\nawait ages.mean().run()`,
  `await duet.asset('adult').col('age').mean().get({ reason: 'quick one', timeoutMs: 300 })`,
  `const flat = duet.asset('mnist-test-images').reshape([-1, 1]);\nawait flat.mul(flat.reshape([1, -1])).run()`,
];
const TITLES = ['Operation not allowed', 'Malformed plan', 'Shapes do not match', 'Unknown or deleted pointer', 'Unknown or deleted pointer', 'The request timed out', 'Over a limit'];

describe('bad input in the notebook and the owner tab', () => {
  it('E2E6: each bad input shows its own error in words; NB3: run all stops at the first error; NB4: cells come back from storage', async () => {
    const saved = JSON.stringify({ format: 'duet-notebook/1', cells: BAD_CELLS.map((code) => ({ code })) });
    const { owner, ds } = await pair((page) => page.evaluate((v) => localStorage.setItem('duet.notebook.v1', v), saved));
    const d = ds.page;
    expect(await d.getByTestId('cell').count()).toBe(BAD_CELLS.length);
    expect(await cell(d, 2).locator('.cm-content').textContent()).toContain('px.matmul(px)');

    await d.getByTestId('run-all').click();
    await expect.poll(() => cell(d, 0).getAttribute('data-status'), { timeout: 20_000 }).toBe('error');
    await expect.poll(() => d.getByTestId('run-all').textContent()).toBe('Run all');
    expect(await cell(d, 1).getAttribute('data-status'), 'NB3: cells after the failing one did not run').toBe('idle');

    for (let i = 0; i < BAD_CELLS.length; i++) {
      if (i > 0) await cell(d, i).getByTestId('run-cell').click();
      await expect.poll(() => cell(d, i).getAttribute('data-status'), { timeout: 20_000 }).toBe('error');
      expect(await cell(d, i).getByTestId('cell-error').locator('strong').textContent(), `cell ${i}`).toBe(TITLES[i]);
    }
    expect(await cellText(d, 2)).toContain('[640, 784]');
    expect(await cellText(d, 6)).toMatch(/MAX_OUTPUT_ELEMENTS|MAX_ELEMENTS_PROCESSED/);

    // RD17 in the tab: an unparseable file is refused with its name; the store keeps what it had.
    const o = owner.page;
    await o.getByTestId('file-input').setInputFiles([{ name: 'broken.parquet', mimeType: 'application/octet-stream', buffer: Buffer.from('not parquet') }]);
    await expect.poll(() => o.getByTestId('upload-error').textContent()).toContain('Cannot read this file');
    expect(await o.getByTestId('upload-error').textContent()).toContain('broken.parquet');
    await o.getByTestId('file-input').setInputFiles([{ name: 'visits.csv', mimeType: 'text/csv', buffer: Buffer.from('clinic,visits\nnorth,12\nsouth,30\n') }]);
    await o.locator('[data-testid="asset"][data-asset-id="visits.csv"]').waitFor();
    expect(await o.getByTestId('asset').count()).toBe(6);
    // The scientist's listing follows.
    await expect.poll(() => d.getByTestId('asset-browser').textContent()).toContain('visits.csv');
    await owner.context.close();
    await ds.context.close();
  });
});
