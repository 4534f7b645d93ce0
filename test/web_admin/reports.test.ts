/**
 * The console's Reports view: open reports with the audit events kept as their evidence, for
 * Admins only, shown as text in a real browser; closed in game, they leave the view.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findChromium, useGameAndBrowser } from '../support/browser.ts';
import { stopAfterEach } from '../support/cleanup.ts';
import { ADMIN, signInToConsole, startAdminGame, type AdminGame } from './support.ts';

// Page functions run in the browser, which has `document`; this project compiles without the DOM lib.
declare const document: any;

const HOSTILE = '<img src=x onerror=alert(1)> keeps spamming the courtyard';

/** Boss says something, then Pleb reports Boss: the report's evidence holds Boss's say. */
async function fileReport(run: AdminGame): Promise<void> {
  const boss = await run.login('Boss');
  await boss.command('say buy gold at example.com', 'You say');
  await run.game.auditTrail.flush();
  const pleb = await run.login('Pleb');
  await pleb.command(`report Boss = ${HOSTILE}`, /report #1 is filed about Boss/);
}

describe('the Reports view: its API', () => {
  const start = stopAfterEach(startAdminGame);

  it('lists open reports with their evidence to an Admin, and nothing without a session', async () => {
    const run = await start();
    await fileReport(run);
    expect((await run.get('/admin/api/reports')).status).toBe(401);
    const { reports } = await run.getJson('/admin/api/reports', await run.adminCookie());
    expect(reports).toEqual([expect.objectContaining({ id: 1, reporter: 'Pleb', named: 'Boss', text: HOSTILE })]);
    const said = reports[0].evidence.filter((e: any) => e.event_type === 'say');
    expect(said).toEqual([expect.objectContaining({ actor: expect.objectContaining({ account: 'Boss' }), payload: expect.objectContaining({ text: 'buy gold at example.com' }) })]);

    const warden = await run.login(ADMIN, 'connect');
    await warden.command('@reports/close 1 = warned Boss', 'Report #1 closed.');
    expect((await run.getJson('/admin/api/reports', await run.adminCookie())).reports).toEqual([]);
  });
});

const executablePath = findChromium('the console Reports view browser test');

describe.skipIf(!executablePath)('the Reports view in a real browser', () => {
  const session = useGameAndBrowser(executablePath, startAdminGame);

  async function openConsole(): Promise<{ page: Page; problems: string[]; dialogs: string[] }> {
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signInToConsole(page, session.run.url);
    return { page, problems, dialogs };
  }

  it('shows each open report with its evidence, as text, and the refresh after it is closed in game', async () => {
    await fileReport(session.run);
    const { page, problems, dialogs } = await openConsole();
    await page.click('#tabs button[data-tab="reports"]');
    const card = page.locator('#reports-list article[data-report="1"]');
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('h3').textContent()).toMatch(/^Report #1 by Pleb about Boss — \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await card.locator('.report-text').textContent()).toBe(HOSTILE);
    expect(await page.locator('#reports-list img').count()).toBe(0);
    const rows = await card.locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.includes('say') && r.includes('buy gold at example.com'))).toBe(true);
    expect(await page.locator('#tab-live').isHidden()).toBe(true);

    const warden = await session.run.login(ADMIN, 'connect');
    await warden.command('@reports/close 1 = warned Boss', 'Report #1 closed.');
    await page.click('#reports-refresh');
    await page.waitForFunction(() => document.getElementById('reports-note')!.textContent === 'No open reports.');
    expect(await page.locator('#reports-list article').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
