/**
 * The webclient page in real Chromium under `npm start`: the page's one socket stays connected
 * across `@reload`, `npm run reload` and a kill -9 of the game process (no reconnect, no new
 * WebSocket), the player sees the portal's lines, and the next command works in the same room.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium } from '../support/browser.ts';
import { PASSWORD } from '../support/game.ts';
import { npmRun, trackPortals, trailHas } from './helpers.ts';

// Page functions run in the browser, which has `document`; this project compiles without the DOM lib.
declare const document: any;

const executablePath = findChromium('the webclient-across-a-reload browser test');

describe.skipIf(!executablePath)('the webclient in a real browser across a reload', () => {
  const startPortal = trackPortals();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium(executablePath!);
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Waits until `text` has been shown `times` times in the output pane. */
  const shown = (page: Page, text: string, times = 1) =>
    page.waitForFunction(([t, n]) => document.getElementById('output')!.textContent!.split(t).length - 1 >= n, [text, times] as const, { timeout: 30_000 });
  const type = async (page: Page, line: string) => {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  };

  it('stays connected through @reload, npm run reload and kill -9 of the game, in the same room', { timeout: 120_000 }, async () => {
    const portal = await startPortal({ env: { MUD_WEB: 'on' } });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const websockets: string[] = [];
    page.on('websocket', (ws) => websockets.push(ws.url()));

    await page.goto(`${portal.webUrl()}/`);
    await shown(page, 'Welcome to');
    await page.waitForSelector('#status.connected');
    await type(page, 'create Browsy');
    await page.waitForSelector('#input[type="password"]');
    await type(page, PASSWORD);
    await shown(page, 'Confirm password: ');
    await type(page, PASSWORD);
    await shown(page, 'You become Browsy');
    await page.waitForSelector('#input[type="text"]');
    await type(page, `claim ${await portal.adminToken()}`);
    await shown(page, 'You are now the Developer');
    await type(page, 'north');
    await shown(page, 'Courtyard');

    await type(page, '@reload');
    await shown(page, 'The game is reloading...');
    await shown(page, 'The game is back.');
    await type(page, 'say after the first reload');
    await shown(page, 'You say, "after the first reload"');

    expect((await npmRun(portal, 'reload')).code).toBe(0);
    await shown(page, 'The game is back.', 2);

    process.kill((await portal.status()).game.pid!, 'SIGKILL');
    await shown(page, 'The game stopped unexpectedly');
    await shown(page, 'The game is back.', 3);
    await type(page, 'look');
    await shown(page, 'The cobbled courtyard', 2);
    await type(page, 'say still here');
    await shown(page, 'You say, "still here"');

    // One socket all along: the page never lost its connection, so never reconnected.
    expect(websockets).toHaveLength(1);
    expect(await page.locator('#status').getAttribute('class')).toContain('connected');
    expect(problems).toEqual([]);
    const { connections } = await portal.status();
    expect(connections).toEqual([expect.objectContaining({ protocol: 'web', loggedIn: true })]);
    expect(await trailHas(portal, (r) => r.event_type === 'reload' && r.payload.via === 'crash')).toBe(true);
    const says = portal.trail().filter((r) => r.event_type === 'say');
    expect(says.map((r) => r.actor.session_id)).toEqual([connections[0]!.id, connections[0]!.id]);
    expect(portal.log('player_activity.log').filter((l) => /unpuppeted|logged out/.test(l))).toEqual([]);
    await page.close();
  });
});
