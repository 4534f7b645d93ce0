import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, findChromium, useGameAndBrowser } from '../support/browser.ts';
import { PASSWORD } from '../support/game.ts';
import { ref } from '../support/ids.ts';
import { ADMIN, startAdminGame } from './support.ts';

// Page functions run in the browser, which has `document`; this project compiles without the DOM lib.
declare const document: any;

const executablePath = findChromium('the audit console browser test');

describe.skipIf(!executablePath)('the audit console in a real browser', () => {
  const session = useGameAndBrowser(executablePath, startAdminGame);

  /** A fresh browser context (its own cookies) that records anything going wrong. */
  async function openPage(): Promise<{ page: Page; problems: string[]; requests: string[]; dialogs: string[] }> {
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // A CSP violation or a failed load is a console error.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on('request', (request) => requests.push(request.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${session.run.url}/admin`);
    await page.waitForSelector('#login:not([hidden])');
    return { page, problems, requests, dialogs };
  }

  async function logIn(page: Page, name: string, password = PASSWORD): Promise<void> {
    await page.fill('#login-name', name);
    await page.fill('#login-password', password);
    await page.click('#loginform button[type="submit"]');
  }

  const apiStatus = (page: Page, path: string) => page.evaluate(async (p) => (await fetch(p)).status, path);

  it('an admin logs in, watches a command arrive live, filters events by character, and logs out', async () => {
    const { page, problems, requests, dialogs } = await openPage();
    const pleb = await session.run.login('Pleb');
    await pleb.command('north', 'Courtyard');
    const other = await session.run.login('Other');
    await other.command('say not me', 'You say');

    await logIn(page, ADMIN);
    await page.waitForSelector('#tabs:not([hidden])');
    expect(await page.locator('#who').textContent()).toBe(`${ADMIN} (Developer)`);
    await page.waitForSelector('#live-status.connected');

    // A telnet player types; the event shows up in the live table, as text.
    const hostile = '<img src=x onerror=alert(1)> watch this';
    await pleb.command(`say ${hostile}`, 'You say');
    const row = page.locator('#live-table tbody tr[data-type="say"]', { hasText: 'watch this' });
    await row.waitFor({ timeout: 10_000 });
    // With its id: a name alone can be anyone's (@name me = Pleb).
    expect(await row.locator('td.who').textContent()).toBe(ref(session.run, 'Pleb'));
    expect(await row.locator('td.details').textContent()).toBe(`text=${JSON.stringify(hostile)}`);
    await page.locator('#live-table tbody tr[data-type="command"]', { hasText: 'watch this' }).waitFor();
    expect(await page.locator('#live-table img').count()).toBe(0);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin.png') });

    // The event table, filtered by character.
    await page.click('#tabs button[data-tab="events"]');
    await page.fill('#filters input[name="character"]', 'Pleb');
    await page.click('#filters button[type="submit"]');
    // Opening the view loads the unfiltered newest events first; the Search's answer replaces them.
    await expect.poll(async () => new Set(await page.locator('#events-table tbody td.who').allTextContents())).toEqual(new Set([ref(session.run, 'Pleb')]));
    expect(await page.locator('#events-table tbody td.who').count()).toBeGreaterThan(3);
    const types = await page.locator('#events-table tbody td.type').allTextContents();
    expect(types).toEqual(expect.arrayContaining(['say', 'move_arrive', 'login_ok']));
    await page.fill('#filters input[name="type"]', 'say');
    await page.click('#filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#events-table tbody tr').length === 1);
    expect(await page.locator('#events-table tbody td.details').textContent()).toContain('watch this');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-events.png') });

    // Characters, sortable; a name opens its history.
    await page.click('#tabs button[data-tab="characters"]');
    await page.locator('#characters-table tbody tr[data-name="Pleb"]').waitFor();
    await page.click('#characters-table th[data-key="commands_executed"]');
    expect(await page.locator('#characters-table th[data-key="commands_executed"]').getAttribute('aria-sort')).toBe('descending');
    expect(await page.locator('#characters-table tbody tr').first().getAttribute('data-name')).toBe('Pleb');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-characters.png') });
    await page.click('#characters-table tbody tr[data-name="Pleb"] button.link');
    await page.waitForFunction(() => document.getElementById('history-title')!.textContent === 'History of Pleb');
    expect(await page.locator('#moves-table tbody tr').first().textContent()).toContain('LimboCourtyard');
    await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr').length > 3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-history.png') });

    await page.click('#tabs button[data-tab="health"]');
    await page.locator('#health dt', { hasText: 'Players online' }).waitFor();
    expect(await page.locator('#health dd').first().textContent()).toBe('2');

    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests.filter((url) => !url.startsWith(session.run.url))).toEqual([]);

    await page.click('#logout');
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.locator('#login-error').textContent()).toBe('Logged out.');
    expect(await apiStatus(page, '/admin/api/characters')).toBe(401);
    await page.close();
  });

  it('refuses a player account, showing why and nothing else', async () => {
    const { page, problems } = await openPage();
    await session.run.login('Player1');
    await logIn(page, 'Player1');
    await page.waitForFunction(() => document.getElementById('login-error')!.textContent !== '');
    expect(await page.locator('#login-error').textContent()).toMatch(/needs Admin permission/);
    expect(await page.locator('#tabs').isHidden()).toBe(true);
    expect(await page.locator('#tab-live').isHidden()).toBe(true);
    expect(await page.locator('#login-password').inputValue()).toBe('');
    expect(await apiStatus(page, '/admin/api/characters')).toBe(401);
    expect(await page.context().cookies()).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-refused.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
