import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, userPage, waitForState } from '../helpers/browser';

const hubUrl = inject('hubUrl');
let browser: Browser;
beforeAll(async () => {
  browser = await launch(inject('chromiumPath'));
});
afterAll(async () => {
  await browser?.close();
});

describe('the benchmark page', () => {
  it('BP1: runs the cases live in two tabs and draws the table and the chart', async () => {
    const owner = await userPage(browser, hubUrl);
    await owner.page.getByRole('link', { name: /benchmark/i }).click();
    const link = await owner.page.getByTestId('bench-link').getAttribute('href', { timeout: 30_000 });
    const scientist = await userPage(browser, link!);
    await waitForState(scientist.page, 'connected');
    await scientist.page.getByTestId('bench-runs').fill('1');
    await scientist.page.getByTestId('bench-scope').selectOption('quick');
    await scientist.page.getByTestId('bench-run').click();
    await expect.poll(() => scientist.page.getByTestId('bench-row').count(), { timeout: 120_000 }).toBe(12);
    const cells = await scientist.page.getByTestId('bench-row').first().locator('td').allTextContents();
    expect(cells[0]).toBe('float16 100×100');
    expect(cells.slice(3)).toHaveLength(3);
    for (const c of cells.slice(3)) expect(c).toMatch(/^\d+\.\d ms · \d+ MB\/s$/);
    expect(await scientist.page.locator('.chart svg rect[fill="#4f46e5"] title').count()).toBe(12); // one arrow-flight bar per case (the legend swatch has no title)
    await Promise.all([owner.context.close(), scientist.context.close()]);
  });
});
