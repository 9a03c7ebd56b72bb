import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createSession, joinSession, type Session } from '../../src/node';
import { Role } from '../../src/wire/gen/duet/v1/common_pb';
import { launch, userPage, waitForState } from '../helpers/browser';

const hubUrl = inject('hubUrl');
let browser: Browser;
const nodeSessions: Session[] = [];

beforeAll(async () => {
  browser = await launch(inject('chromiumPath'));
});
afterAll(async () => {
  for (const s of nodeSessions) s.close();
  await browser?.close();
});

describe('two people in two browser tabs', () => {
  it('E2E1: the owner shares a code, the scientist joins with it, both connect and ping', async () => {
    const owner = await userPage(browser, hubUrl);
    await owner.page.getByTestId('start-owner').click();
    const code = (await owner.page.getByTestId('session-code').textContent({ timeout: 20_000 }))!.trim();
    expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await waitForState(owner.page, 'waiting');

    const scientist = await userPage(browser, hubUrl);
    await scientist.page.getByTestId('start-join').click();
    await scientist.page.getByTestId('code-input').fill(code.toLowerCase()); // people type in lower case
    await scientist.page.getByTestId('join').click();

    await Promise.all([waitForState(owner.page, 'connected'), waitForState(scientist.page, 'connected')]);
    await expect.poll(() => scientist.page.getByTestId('peer-role').textContent()).toBe('Data owner');
    await expect.poll(() => owner.page.getByTestId('peer-role').textContent()).toBe('Data scientist');
    await expect.poll(() => owner.page.getByTestId('rtt').textContent(), { timeout: 10_000 }).toMatch(/^\d+\.\d ms$/);

    await scientist.page.getByTestId('ping').click();
    await expect.poll(() => scientist.page.getByTestId('ping-result').textContent()).toMatch(/Last ping: \d+\.\d ms/);

    // The copy link leads a scientist straight in.
    const link = (await owner.page.getByTestId('join-link').textContent())!;
    expect(link).toContain(`#/join/${code.replace('-', '')}`);

    await scientist.page.close({ runBeforeUnload: true });
    await waitForState(owner.page, 'peer-left', 5_000);
    await owner.context.close();
  });

  it('E2E2: a Node owner and a browser scientist connect, and ping each way', async () => {
    const owner = await createSession({ hubUrl });
    nodeSessions.push(owner);
    const scientist = await userPage(browser, `${hubUrl}/#/join/${owner.code}`);
    await Promise.all([owner.connected(), waitForState(scientist.page, 'connected')]);
    expect(owner.peers[0]?.role).toBe(Role.SCIENTIST);
    expect(await owner.ping()).toBeGreaterThan(0);
    await scientist.page.getByTestId('ping').click();
    await expect.poll(() => scientist.page.getByTestId('ping-result').textContent()).toMatch(/ms/);
    await scientist.context.close();
  });

  it('E2E3: a browser owner and a Node scientist connect', async () => {
    const owner = await userPage(browser, `${hubUrl}/#/owner`);
    const code = (await owner.page.getByTestId('session-code').textContent({ timeout: 20_000 }))!;
    const scientist = await joinSession({ hubUrl, code });
    nodeSessions.push(scientist);
    await Promise.all([scientist.connected(), waitForState(owner.page, 'connected')]);
    expect(await scientist.ping()).toBeGreaterThan(0);
    await owner.context.close();
  });
});

describe('errors a person can read', () => {
  it('E2E4: an unknown code, a malformed code and a full session each say what happened', async () => {
    const { page, context } = await userPage(browser, `${hubUrl}/#/join`);
    await page.getByTestId('code-input').fill('hello');
    await page.getByTestId('join').click();
    await expect.poll(() => page.getByTestId('error').textContent()).toContain('That is not a session code');

    await page.getByTestId('code-input').fill('ZZZZZ-ZZZZZ');
    await page.getByTestId('join').click();
    await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 20_000 }).toContain('No session with this code');

    const owner = await createSession({ hubUrl });
    const ds = await joinSession({ hubUrl, code: owner.code });
    nodeSessions.push(owner, ds);
    await page.goto(`${hubUrl}/#/join/${owner.code}`);
    await expect.poll(() => page.getByTestId('error').textContent(), { timeout: 20_000 }).toContain('This session is full');
    await context.close();
  });
});
