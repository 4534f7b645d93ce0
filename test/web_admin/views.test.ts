/**
 * The console's views as an operator opens them (issue 17): Live and Events show the newest events
 * at once, the History table fits at 1,400 px, at 400 px its Details column can be scrolled to,
 * and axe-core finds no serious or critical violation.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe.ts';
import { ARTIFACTS, findChromium, useGameAndBrowser } from '../support/browser.ts';
import { signInToConsole, startAdminGame } from './support.ts';

// Page functions run in the browser, which has `document`; this project compiles without the DOM lib.
declare const document: any;
declare const getComputedStyle: any;

const executablePath = findChromium('the audit console views browser test');

describe.skipIf(!executablePath)('the audit console views in a real browser', () => {
  const session = useGameAndBrowser(executablePath, startAdminGame);

  async function logIn(width: number): Promise<{ page: Page; problems: string[] }> {
    const page = await session.browser.newPage({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    await signInToConsole(page, session.run.url);
    return { page, problems };
  }

  /** Events already in the audit table before any console is open. */
  async function somethingHappened(name: string): Promise<void> {
    const player = await session.run.login(name);
    await player.command('north', 'Courtyard');
    await player.command(`say before the console opened, ${name} ${'x'.repeat(120)}`, 'You say');
    await expect.poll(async () => (await session.run.game.auditReader.search({ types: ['say'], character: name, limit: 5 })).length).toBe(1);
  }

  it('opens Live and Events with the newest events, each once, and new ones arrive on top', async () => {
    await somethingHappened('Early');
    const { page, problems } = await logIn(1280);
    const live = page.locator('#live-table tbody tr[data-type="say"]', { hasText: 'before the console opened, Early' });
    await live.waitFor({ timeout: 10_000 });
    await page.waitForSelector('#live-status.connected');
    const later = await session.run.login('Later');
    await later.command('say after it opened', 'You say');
    await page.locator('#live-table tbody tr[data-type="say"]', { hasText: 'after it opened' }).waitFor();
    const says = await page.locator('#live-table tbody tr[data-type="say"] td.details').allTextContents();
    expect(says[0]).toContain('after it opened');
    expect(says.filter((t) => t.includes('before the console opened, Early'))).toHaveLength(1);
    // Each event once, though the table was read while the tail was already running.
    const keys = await page.locator('#live-table tbody tr').evaluateAll((rows) => rows.map((r: any) => r.dataset.key));
    expect(new Set(keys).size).toBe(keys.length);
    expect(await seriousViolations(page)).toEqual([]);

    await page.click('#tabs button[data-tab="events"]');
    await page.locator('#events-table tbody tr[data-type="say"]', { hasText: 'before the console opened, Early' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#events-page').textContent()).toBe('Page 1');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  /** The History view of `name`, its events loaded. */
  async function history(page: Page, name: string): Promise<void> {
    await page.click('#tabs button[data-tab="history"]');
    await page.fill('#history-name', name);
    await page.click('#historyform button[type="submit"]');
    await page.waitForFunction((n) => document.getElementById('history-title')!.textContent === `History of ${n}`, name);
    await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr').length > 3);
  }

  /** How the History table sits in its scrolling box, and whether the page itself is wider than the screen. */
  const historyBox = (page: Page) =>
    page.evaluate(() => {
      const wrap = document.querySelector('#history-table').closest('.tablewrap');
      const details = document.querySelector('#history-table thead th:last-child').getBoundingClientRect();
      const box = wrap.getBoundingClientRect();
      return {
        pageWidth: document.documentElement.scrollWidth,
        wrapRight: box.right,
        overflow: wrap.scrollWidth - wrap.clientWidth,
        scrollable: getComputedStyle(wrap).overflowX,
        detailsLeft: details.left - box.left + wrap.scrollLeft,
      };
    });

  it('shows the History table whole at 1,400 px', async () => {
    await somethingHappened('Wide');
    const { page, problems } = await logIn(1400);
    await history(page, 'Wide');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-history-1400.png'), fullPage: true });
    const box = await historyBox(page);
    expect(box.pageWidth).toBeLessThanOrEqual(1400);
    expect(box.wrapRight).toBeLessThanOrEqual(1400);
    expect(box.overflow).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('at 400 px keeps the page on the screen and the Details column reachable by scrolling its table', async () => {
    await somethingHappened('Tiny');
    const { page, problems } = await logIn(400);
    await history(page, 'Tiny');
    const box = await historyBox(page);
    expect(box.pageWidth).toBeLessThanOrEqual(400);
    expect(box.wrapRight).toBeLessThanOrEqual(400);
    expect(box.scrollable).toBe('auto');
    // Scrolled to its end, the table shows the Details column.
    await page.locator('#history-table').evaluate((table) => {
      const wrap = table.closest('.tablewrap');
      wrap.scrollLeft = wrap.scrollWidth;
    });
    const details = await page.locator('#history-table thead th:last-child').boundingBox();
    expect(details!.x).toBeGreaterThanOrEqual(0);
    expect(details!.x).toBeLessThan(400);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-history-400.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
