// Renders the app's main screens to docs/images for the README and the user guide.
// Run: npx tsx scripts/screenshots.ts   (builds the app first if needed)
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
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
try {
  const home = await userPage(browser, hub.url);
  await home.page.setViewportSize(size);
  await home.page.screenshot({ path: `${out}/home.png` });
  const owner = await userPage(browser, `${hub.url}/#/owner`);
  await owner.page.setViewportSize(size);
  const code = (await owner.page.getByTestId('session-code').textContent({ timeout: 20_000 }))!;
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
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await hub.close();
}
