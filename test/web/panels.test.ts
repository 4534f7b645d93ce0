/**
 * The webclient's panels (issue 17) in Debian's Chromium: the room with exits that walk, who and
 * what is here, the inventory and a tab per channel, all fed by the session's GMCP; passwords
 * masked in the scroll-back and the stored history; the 400 px and 1200 px layouts; axe-core.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/axe.ts';
import { ARTIFACTS, findChromium, useGameAndBrowser } from '../support/browser.ts';
import { PASSWORD } from '../support/game.ts';
import { startWebGame } from './support.ts';

// Page functions run in the browser, which has `document`; this project compiles without the DOM lib.
declare const document: any;
declare const localStorage: any;

const executablePath = findChromium('the webclient panels browser test');

describe.skipIf(!executablePath)('the webclient panels in a real browser', () => {
  const session = useGameAndBrowser(executablePath, startWebGame);

  const textOf = (page: Page, selector: string) => page.locator(selector).evaluate((el) => el.textContent ?? '');
  const waitForText = (page: Page, selector: string, text: string) =>
    page.waitForFunction(([s, t]) => (document.querySelector(s)?.textContent ?? '').includes(t), [selector, text] as const, { timeout: 10_000 });
  const listOf = (page: Page, selector: string) => page.locator(`${selector} li:not(.none)`).allTextContents();

  /** A page logged in with the one-line `create <name> <password>`, problems recorded. */
  async function playIn(name: string, viewport: { width: number; height: number }) {
    const page = await session.browser.newPage({ viewport });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(`${session.run.url}/`);
    await page.waitForSelector('#status.connected');
    await page.keyboard.type(`create ${name} ${PASSWORD}`);
    await page.keyboard.press('Enter');
    await waitForText(page, '#output', `You become ${name}`);
    await waitForText(page, '#room-name', 'Limbo');
    return { page, problems };
  }

  it('walks by the exit buttons, follows get and drop and who is here, and puts a channel line in its tab', async () => {
    const { page, problems } = await playIn('Wendy', { width: 1200, height: 800 });
    expect(await page.locator('#panels').isVisible()).toBe(true);
    await waitForText(page, '#room-desc', 'A grey, quiet nowhere');
    expect(await page.locator('#room-exits button').allTextContents()).toContain('north');

    // An exit button walks: the text shows the new room and the panel follows.
    await page.locator('#room-exits button', { hasText: /^north$/ }).click();
    await waitForText(page, '#room-name', 'Courtyard');
    await waitForText(page, '#output', 'Courtyard');
    expect(await page.locator('.echo', { hasText: '> north' }).count()).toBe(1);
    const exits = await page.locator('#room-exits button').allTextContents();
    expect(exits.sort()).toEqual(['east', 'south', 'west']);
    expect(await textOf(page, '#room-name')).toBe('Courtyard');

    // Who is here: another player (over the socket, as the page speaks) comes and goes.
    const visitor = await session.run.webLogin('Visitor');
    await visitor.command('north', 'Courtyard');
    await expect.poll(() => listOf(page, '#here-people')).toEqual(['Visitor']);

    // What lies here, and the inventory, follow get and drop (the visitor is the Developer: it builds).
    await visitor.command('@create lantern', 'you carry it');
    await visitor.command('drop lantern', 'You drop lantern');
    await expect.poll(() => listOf(page, '#here-things')).toEqual(['fountain', 'lantern']);
    expect(await listOf(page, '#inventory')).toEqual([]);
    await page.keyboard.type('get lantern');
    await page.keyboard.press('Enter');
    await expect.poll(() => listOf(page, '#inventory')).toEqual(['lantern']);
    expect(await listOf(page, '#here-things')).toEqual(['fountain']);
    await page.keyboard.type('drop lantern');
    await page.keyboard.press('Enter');
    await expect.poll(() => listOf(page, '#here-things')).toEqual(['fountain', 'lantern']);
    expect(await listOf(page, '#inventory')).toEqual([]);
    await page.keyboard.type('get lantern');
    await page.keyboard.press('Enter');
    await expect.poll(() => listOf(page, '#inventory')).toEqual(['lantern']);

    // A channel line from another client lands in its tab, as text.
    await visitor.command('pub hello <b>there</b>', 'hello');
    await page.locator('#chat-tabs [role="tab"]', { hasText: 'public' }).waitFor();
    await waitForText(page, '#chat-logs', '[public] Visitor: hello <b>there</b>');
    expect(await page.locator('#chat-logs b').count()).toBe(0);
    expect(await page.locator('#chat-tabs [role="tab"][aria-selected="true"]').textContent()).toBe('public');

    // Links in game text are links (http and https only), opened apart from this page.
    await visitor.command('say see https://example.org/guide. not javascript:alert(1)', 'You say');
    const link = page.locator('#output a', { hasText: 'https://example.org/guide' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('https://example.org/guide');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await page.locator('#output a').count()).toBe(1);

    // The scroll-back search counts and steps through the matches.
    await page.fill('#search', 'courtyard');
    await expect.poll(() => textOf(page, '#search-count')).toMatch(/^\d+ of \d+$/);
    const [, total] = /^(\d+) of (\d+)$/.exec(await textOf(page, '#search-count'))!;
    expect(Number(total)).toBeGreaterThanOrEqual(2);
    await page.press('#search', 'Enter');
    expect(await textOf(page, '#search-count')).toBe(`${Number(total) - 1} of ${total}`);
    await page.fill('#search', 'no such words anywhere');
    expect(await textOf(page, '#search-count')).toBe('No match');
    await page.fill('#search', '');

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#input').focus();
    await page.screenshot({ path: path.join(ARTIFACTS, 'webclient-1200.png') });
    visitor.close();
    await expect.poll(() => listOf(page, '#here-people')).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('masks a password in the scroll-back and the history, and keeps the history across a reload without it', async () => {
    const { page, problems } = await playIn('Masky', { width: 1000, height: 700 });
    expect(await textOf(page, '#output')).not.toContain(PASSWORD);
    expect(await page.locator('.echo').first().textContent()).toBe('> create Masky ********\n');
    await page.keyboard.type('look');
    await page.keyboard.press('Enter');
    // `password` with no arguments asks with echo off: that answer is shown and kept nowhere.
    await page.keyboard.type('password');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#input[type="password"]');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#input[type="password"]');
    await page.keyboard.type('not-the-new-password');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#input[type="password"]');
    await page.keyboard.type('not-the-new-password');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#input[type="text"]');
    await page.keyboard.type(`password ${PASSWORD} other-secret-1`);
    await page.keyboard.press('Enter');
    await waitForText(page, '#output', '> password ********');

    const stored = await page.evaluate(() => Object.values({ ...localStorage }).join('\n'));
    for (const secret of [PASSWORD, 'not-the-new-password', 'other-secret-1']) {
      expect(stored).not.toContain(secret);
      expect(await textOf(page, '#output')).not.toContain(secret);
    }

    expect(problems).toEqual([]);

    // A reload keeps the history: up recalls it, the password cut off. (The old page's socket,
    // cut mid-flight, may log a network error; a script error would still show here.)
    await page.reload();
    await page.waitForSelector('#status.connected');
    const recalled: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('ArrowUp');
      recalled.push(await page.locator('#input').inputValue());
    }
    expect(recalled).toEqual(['password ', 'password', 'look', 'create Masky ']);
    expect(problems.filter((p) => p.startsWith('page error'))).toEqual([]);
    await page.close();
  });

  it('fits 400 px: the panels fold away behind a toggle, and open over the text', async () => {
    const { page, problems } = await playIn('Narrow', { width: 400, height: 760 });
    expect(await page.locator('#panels').isVisible()).toBe(false);
    expect(await page.locator('#panels-toggle').getAttribute('aria-expanded')).toBe('false');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await fits()).toBeLessThanOrEqual(400);
    const output = await page.locator('#output').boundingBox();
    expect(output!.width).toBeGreaterThan(350);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webclient-400-text.png') });
    expect(await seriousViolations(page)).toEqual([]);

    await page.click('#panels-toggle');
    expect(await page.locator('#panels-toggle').getAttribute('aria-expanded')).toBe('true');
    // From the keyboard: an exit button pressed with Enter walks (the input does not take the key).
    await page.locator('#room-exits button', { hasText: /^north$/ }).focus();
    await page.keyboard.press('Enter');
    await waitForText(page, '#room-name', 'Courtyard');
    expect(await fits()).toBeLessThanOrEqual(400);
    const panels = await page.locator('#panels').boundingBox();
    expect(panels!.x).toBeGreaterThanOrEqual(0);
    expect(panels!.x + panels!.width).toBeLessThanOrEqual(400);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webclient-400.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('#panels-toggle');
    expect(await page.locator('#panels').isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });
  it('renders the 16, the 256 and the 24-bit ANSI colours, each run as text, and cannot make markup of a string', async () => {
    const page = await session.browser.newPage({ viewport: { width: 800, height: 600 } });
    await page.goto(`${session.run.url}/`);
    await page.waitForSelector('#status.connected');
    // The page's own modules, loaded as the page loads them (script-src 'self'); a string, so
    // that vitest leaves its import() alone.
    const colours = await page.evaluate(`(async () => {
      const { gameTextNodes } = await import('/output.js');
      const { AnsiParser } = await import('/ansi.js');
      const box = document.createElement('div');
      box.append(gameTextNodes(new AnsiParser(), '\\x1b[1;31mred\\x1b[0m \\x1b[38;5;200mpink\\x1b[48;5;238mgrey\\x1b[0m \\x1b[38;2;1;2;3mrgb<b>x</b>\\x1b[0m'));
      document.body.append(box);
      return [...box.querySelectorAll('span')].map((span) => ({ text: span.textContent, className: span.className, color: getComputedStyle(span).color, background: getComputedStyle(span).backgroundColor }));
    })()`);
    expect(colours).toEqual([
      expect.objectContaining({ text: 'red', className: 'fg-9 b' }),
      expect.objectContaining({ text: 'pink', color: 'rgb(255, 0, 215)' }),
      expect.objectContaining({ text: 'grey', color: 'rgb(255, 0, 215)', background: 'rgb(68, 68, 68)' }),
      expect.objectContaining({ text: 'rgb<b>x</b>', color: 'rgb(1, 2, 3)' }),
    ]);
    // And the page could not make markup of a string if it tried (Trusted Types, no policy).
    const asMarkup = await page.evaluate(() => {
      try {
        document.body.insertAdjacentHTML('beforeend', '<b id="made">x</b>');
        return 'inserted';
      } catch (error: any) {
        return error.name;
      }
    });
    expect(asMarkup).toBe('TypeError');
    expect(await page.locator('#made').count()).toBe(0);
    await page.close();
  });
});
