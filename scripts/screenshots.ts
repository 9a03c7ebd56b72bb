// Renders the app's main screens to docs/images for the README and the user guide.
// Run: npx tsx scripts/screenshots.ts   (builds the app first if needed)
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startHub } from '../signaling-server/hub';
import { ensureChromium } from '../test/helpers/chromium';
import { launch, userPage, waitForState } from '../test/helpers/browser';
// @ts-expect-error plain JS
import { buildAll, isStale } from '../bin/build.js';

if ((isStale as () => boolean)()) await (buildAll as (o: { quiet: boolean }) => Promise<void>)({ quiet: true });
const out = resolve('docs/images');
mkdirSync(out, { recursive: true });
const hub = await startHub({ port: 0, host: '127.0.0.1', flight: { port: 0 }, staticDir: resolve('dist/app') });
const browser = await launch(ensureChromium());
const size = { width: 1280, height: 760 };
const tall = { width: 1400, height: 1000 };
const cell = (page: Page, i: number) => page.locator(`[data-testid="cell"][data-index="${i}"]`);
// CodeMirror draws only the lines in view, after a scroll settles: give it a frame or two.
async function scrollTo(page: Page, i: number): Promise<void> {
  await cell(page, i).scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(200);
}
try {
  const home = await userPage(browser, hub.url);
  await home.page.setViewportSize(size);
  await home.page.screenshot({ path: `${out}/home.png` });
  const owner = await userPage(browser, `${hub.url}/#/owner`);
  await owner.page.setViewportSize(size);
  const code = (await owner.page.getByTestId('session-code').textContent({ timeout: 20_000 }))!;
  await owner.page.getByTestId('asset').first().waitFor();
  await owner.page.screenshot({ path: `${out}/owner-waiting.png` });
  const ds = await userPage(browser, `${hub.url}/#/join`);
  await ds.page.setViewportSize(size);
  await ds.page.getByTestId('code-input').fill(code);
  await ds.page.screenshot({ path: `${out}/join.png` });
  await ds.page.getByTestId('join').click();
  await Promise.all([waitForState(owner.page, 'connected'), waitForState(ds.page, 'connected')]);
  await ds.page.getByTestId('ping').click();
  await ds.page.getByTestId('ping-result').waitFor();
  await owner.page.waitForTimeout(2500);
  await owner.page.screenshot({ path: `${out}/owner-connected.png` });
  await ds.page.screenshot({ path: `${out}/scientist-connected.png` });

  // The example notebook, run all; the owner decides in their tab.
  await owner.page.setViewportSize(tall);
  await ds.page.setViewportSize(tall);
  await ds.page.getByTestId('run-all').click();
  const card = owner.page.getByTestId('request-card').first();
  await card.waitFor({ timeout: 30_000 });
  await card.getByTestId('decision-message').fill('Fine for the report.');
  await scrollTo(ds.page, 3);
  await ds.page.screenshot({ path: `${out}/notebook-waiting.png` });
  await owner.page.screenshot({ path: `${out}/owner-request.png` });
  for (let i = 0; i < 4; i++) {
    await owner.page.getByTestId('request-card').first().waitFor({ timeout: 30_000 });
    const id = await owner.page.getByTestId('request-card').first().getAttribute('data-request-id');
    const pinned = owner.page.locator(`[data-testid="request-card"][data-request-id="${id}"]`);
    await pinned.getByTestId('approve').click();
    await pinned.waitFor({ state: 'detached' });
  }
  await cell(ds.page, 7).getByTestId('cell-error').waitFor({ timeout: 30_000 });
  await scrollTo(ds.page, 3);
  await ds.page.screenshot({ path: `${out}/notebook.png` });
  await scrollTo(ds.page, 5);
  await ds.page.screenshot({ path: `${out}/notebook-charts.png` });
  await scrollTo(ds.page, 7);
  await ds.page.screenshot({ path: `${out}/notebook-budget.png` });
  for (const tab of ['budgets', 'policies', 'audit'] as const) {
    await owner.page.getByTestId(`tab-${tab}`).click();
    await owner.page.screenshot({ path: `${out}/owner-${tab}.png` });
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await hub.close();
}
