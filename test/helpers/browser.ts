import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS } from './chromium';

export async function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

/** A separate browser context is a separate user: own storage, own tab. */
export async function userPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(url);
  return { context, page };
}

export async function waitForState(page: Page, state: string, timeout = 30_000): Promise<void> {
  await page.locator(`[data-testid="state"][data-state="${state}"]`).waitFor({ timeout });
}
