import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, findChromium, useGameAndBrowser } from '../support/browser.ts';
import { PASSWORD } from '../support/game.ts';
import { startWebGame } from './support.ts';

// Page functions run in the browser, which has `document`; this project compiles without the DOM lib.
declare const document: any;

const executablePath = findChromium('the webclient browser test');

describe.skipIf(!executablePath)('the webclient in a real browser', () => {
  const session = useGameAndBrowser(executablePath, startWebGame);

  const paneText = (page: Page) => page.locator('#output').evaluate((el) => el.textContent ?? '');
  const waitForText = (page: Page, text: string) =>
    page.waitForFunction((t) => document.getElementById('output')!.textContent!.includes(t), text, { timeout: 10_000 });
  const inputType = (page: Page) => page.locator('#input').getAttribute('type');

  it('fits a phone-sized screen', async () => {
    const page = await session.browser.newPage({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
    await page.goto(`${session.run.url}/webclient`);
    await page.waitForSelector('#status');
    const box = await page.evaluate(() => {
      const rect = (id: string) => document.getElementById(id)!.getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        input: rect('inputform'),
        output: rect('output'),
      };
    });
    expect(box.scrollWidth).toBeLessThanOrEqual(375);
    expect(box.input.bottom).toBeLessThanOrEqual(667);
    expect(box.input.right).toBeLessThanOrEqual(375);
    expect(box.output.height).toBeGreaterThan(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webclient-phone.png') });
    await page.close();
  });

  it('plays: create through the password prompt, look, move, and shows hostile text as text', async () => {
    const page = await session.browser.newPage({ viewport: { width: 960, height: 640 } });
    const dialogs: string[] = [];
    const problems: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // A CSP violation or a failed load shows up as a console error.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    // The CSP's connect-src 'self' must still let socket.io upgrade to a WebSocket on this origin.
    const websockets: string[] = [];
    page.on('websocket', (ws) => websockets.push(ws.url()));

    await page.goto(`${session.run.url}/`);
    await waitForText(page, `Welcome to ${session.run.config.serverName}!`);
    await page.waitForSelector('#status.connected');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('input');

    // create, answering the hidden password prompts
    await page.keyboard.type('create Browsy');
    await page.keyboard.press('Enter');
    await waitForText(page, 'Password: ');
    await page.waitForSelector('#input[type="password"]');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await waitForText(page, 'Confirm password: ');
    await page.waitForSelector('#input[type="password"]');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await waitForText(page, 'You become Browsy');
    await page.waitForSelector('#input[type="text"]');
    expect(await paneText(page)).not.toContain(PASSWORD);
    expect(await page.locator('.echo').first().textContent()).toBe('> create Browsy\n');

    await page.keyboard.type('look');
    await page.keyboard.press('Enter');
    await waitForText(page, 'A grey, quiet nowhere');
    await page.keyboard.type('north');
    await page.keyboard.press('Enter');
    await waitForText(page, 'Exits:');
    await page.waitForFunction(() => [...document.querySelectorAll('#output span')].some((s) => s.textContent === 'Courtyard'));
    // The room name arrives as bold cyan ANSI and is rendered as a styled span.
    const roomName = page.locator('#output span.b', { hasText: /^Courtyard$/ }).last();
    expect(await roomName.getAttribute('class')).toMatch(/\bfg-14\b/);
    expect(await page.locator('.echo', { hasText: '> look' }).count()).toBe(1);

    // Another player, on telnet, says something that would be markup in a careless client.
    const telly = await session.run.login('Telly');
    await telly.command('north', 'Courtyard');
    const img = '<img src=x onerror=alert(1)>';
    const script = '<script>alert(2)</script>';
    await telly.command(`say ${img}`, 'You say');
    await telly.command(`say ${script}`, 'You say');
    await waitForText(page, `Telly says, "${img}"`);
    await waitForText(page, `Telly says, "${script}"`);
    await page.keyboard.type('say hello from the browser');
    await page.keyboard.press('Enter');
    await telly.waitFor('Browsy says, "hello from the browser"');
    expect(await page.locator('#output img, #output script').count()).toBe(0);
    expect(dialogs).toEqual([]);

    // History: up recalls commands in order, and never the password.
    const recalled: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('ArrowUp');
      recalled.push(await page.locator('#input').inputValue());
    }
    expect(recalled).toEqual(['say hello from the browser', 'north', 'look', 'create Browsy', 'create Browsy']);
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#input').inputValue()).toBe('look');
    await page.locator('#input').fill('');

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'webclient.png') });

    // Everything came from this server: no CDN, nothing else.
    expect(requests.filter((url) => !url.startsWith(session.run.url))).toEqual([]);
    expect(requests.some((url) => url.includes('/socket.io/socket.io.min.js'))).toBe(true);
    expect(problems).toEqual([]);
    expect(websockets.length).toBeGreaterThan(0);
    expect(websockets.every((url) => url.startsWith(session.run.url.replace(/^http/, 'ws')))).toBe(true);
    expect(await inputType(page)).toBe('text');

    // Scrolled back, the reader keeps their place as text arrives; a button brings them down.
    const pane = page.locator('#output');
    const scrolled = () => pane.evaluate((el) => ({ top: el.scrollTop, bottom: el.scrollHeight - el.clientHeight }));
    expect((await scrolled()).bottom).toBeGreaterThan(0);
    await pane.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.waitForFunction(() => document.getElementById('output')!.scrollTop === 0);
    await telly.command('say are you still reading?', 'You say');
    await waitForText(page, 'are you still reading?');
    expect((await scrolled()).top).toBe(0);
    await page.locator('#more').click();
    await page.waitForFunction(() => {
      const el = document.getElementById('output')!;
      return el.scrollHeight - el.clientHeight - el.scrollTop < 2;
    });
    expect(await page.locator('#more').isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('input');

    // The server goes away: the farewell is shown, then a visible state and a clear message.
    await session.run.game.shutdown('test over');
    await waitForText(page, 'The server is shutting down');
    await waitForText(page, 'Cannot reach the game server');
    await page.waitForSelector('#status.down');
    await page.close();
  });
});
