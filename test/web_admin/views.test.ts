/**
 * The console's views as an operator opens them (issue 17): Live and Events show the newest events
 * at once, the History table fits at 1,400 px, at 400 px its Details column can be scrolled to,
 * and axe-core finds no serious or critical violation. Issue 18: the Events view shows a record's
 * Merkle proof, the same text as `@audit/proof` in game.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe.ts';
import { ARTIFACTS, findChromium, useGameAndBrowser } from '../support/browser.ts';
import { PASSWORD } from '../support/game.ts';
import { TestWebClient } from '../web/support.ts';
import { ADMIN, signInToConsole, startAdminGame } from './support.ts';

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

  it('shows a record\'s Merkle proof in the Events view, the same text as @audit/proof in game, and why a seq has none', async () => {
    await somethingHappened('Prover');
    // In game over the webclient's socket, which has no screen width: the game's text unwrapped.
    const warden = await TestWebClient.connect(session.run.url);
    await warden.waitFor('Welcome to');
    await warden.command(`connect ${ADMIN} ${PASSWORD}`, `You become ${ADMIN}`);
    const { page, problems } = await logIn(1280);
    await page.click('#tabs button[data-tab="events"]');
    const row = page.locator('#events-table tbody tr[data-type="say"]', { hasText: 'before the console opened, Prover' });
    await row.waitFor({ timeout: 10_000 });
    const seqButton = row.locator('td:last-child button');
    const seq = Number(await seqButton.textContent());
    expect(Number.isInteger(seq) && seq > 0).toBe(true);

    // The row's seq asks for its proof.
    await seqButton.click();
    await page.waitForSelector('#proof[aria-busy="false"]:not([hidden])');
    expect(await page.locator('#proof-title').textContent()).toBe(`Merkle proof of seq ${seq}`);
    expect(await page.inputValue('#proof-seq')).toBe(String(seq));
    let shown = (await page.locator('#proof-text').textContent())!;
    expect(shown).toMatch(new RegExp(`^Record seq ${seq} \\(.*\\):\\n\\{.*Prover.*"seq":${seq},`));
    expect(shown).toContain('(the proof gives it)');

    // In game, the same text, every character of it, when both are against the same tree. Each
    // proof is against a checkpoint signed when it is asked for, and @audit/proof is itself an
    // audit event, which may or may not reach the tree before its own proof is made; so the two
    // are asked in turn until a pair of proofs in a row has the same tree size (asked one after
    // the other, one of the two orders gives that).
    const treeSize = (text: string) => Number(/ of tree size (\d+);/.exec(text)?.[1]);
    const askInGame = async () => {
      const reply = await warden.command(`@audit/proof ${seq}`, /\n\u2014 [^\n]+\n/);
      return reply.slice(reply.indexOf(`Record seq ${seq} (`)).trimEnd();
    };
    const askConsole = async () => {
      await page.click('#proofform button[type="submit"]');
      await page.waitForSelector('#proof[aria-busy="false"]:not([hidden])');
      return (await page.locator('#proof-text').textContent())!;
    };
    let said = await askInGame();
    const sizes = [treeSize(shown), treeSize(said)];
    for (let turn = 0; treeSize(said) !== treeSize(shown) && turn < 8; turn++) {
      if (turn % 2 === 0) shown = await askConsole();
      else said = await askInGame();
      sizes.push(treeSize(turn % 2 === 0 ? shown : said));
    }
    expect(treeSize(said), `tree sizes of the proofs asked in turn: ${sizes.join(', ')}`).toBe(treeSize(shown));
    expect(said).toBe(shown);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-proof.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // A seq with no event, then one that is no number: the API's reason in the view's error line, no proof.
    const ask = async (typed: string) => {
      await page.fill('#proof-seq', typed);
      await page.click('#proofform button[type="submit"]');
      await page.waitForFunction(() => document.getElementById('events-error')!.textContent !== '');
      expect(await page.locator('#proof').isHidden()).toBe(true);
      return page.locator('#events-error').textContent();
    };
    expect(await ask('999999')).toMatch(/^There is no audit event with seq 999999 \(the newest is \d+\)\.$/);
    // The same words as the game gives.
    await warden.command('@audit/proof 999999', 'There is no audit event with seq 999999 (the newest is');
    expect(await ask('x')).toBe('seq must be a whole number from 1.');
    // A good seq again clears the error.
    await page.fill('#proof-seq', String(seq));
    await page.click('#proofform button[type="submit"]');
    await page.waitForSelector('#proof:not([hidden])');
    expect(await page.locator('#events-error').textContent()).toBe('');
    // The browser reports the two refused requests themselves; nothing else went wrong.
    expect(problems).toEqual([
      'console: Failed to load resource: the server responded with a status of 404 (Not Found)',
      'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
    warden.close();
    await page.close();
  });
});
