/**
 * /ws from chromium's own WebSocket (no library): a page of this origin asks for
 * terminal.mudstandards.org, creates an account and plays; a subprotocol the server does not
 * speak is refused. The game audits the session with protocol `ws`.
 */
import { describe, expect, it } from 'vitest';
import { readTable } from '../audit_trail/helpers.ts';
import { findChromium, useGameAndBrowser } from '../support/browser.ts';
import { PASSWORD } from '../support/game.ts';
import { startWebGame } from './support.ts';

// Page functions run in the browser, which has WebSocket; this project compiles without the DOM lib.
declare const WebSocket: any;

const executablePath = findChromium('the /ws browser test');

describe.skipIf(!executablePath)('/ws from chromium', () => {
  const session = useGameAndBrowser(executablePath, startWebGame);

  it("plays over the browser's WebSocket with terminal.mudstandards.org, and is refused a subprotocol it does not speak", async () => {
    const page = await session.browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // A page of the game's own origin (the origin check lets it in).
    await page.goto(`${session.run.url}/health`);
    const wsUrl = session.run.url.replace(/^http/, 'ws') + '/ws';

    const played = await page.evaluate(
      async ({ url, password }) => {
        const ws = new WebSocket(url, ['terminal.mudstandards.org']);
        const frames: Array<{ type: string; data: string }> = [];
        let text = '';
        ws.addEventListener('message', (event: { data: unknown }) => {
          frames.push({ type: typeof event.data, data: String(event.data) });
          text += String(event.data);
        });
        const waitFor = (wanted: string) =>
          new Promise<void>((resolve, reject) => {
            const deadline = Date.now() + 10_000;
            const check = () => {
              if (text.includes(wanted)) return resolve();
              if (Date.now() > deadline) return reject(new Error(`no ${wanted} in ${text}`));
              setTimeout(check, 20);
            };
            check();
          });
        await new Promise((resolve, reject) => {
          ws.addEventListener('open', resolve);
          ws.addEventListener('error', () => reject(new Error('could not open')));
        });
        await waitFor('Welcome to');
        ws.send(`create Chromey ${password}`);
        await waitFor('You become Chromey');
        ws.send('say hello from chromium');
        await waitFor('You say, "hello from chromium"');
        ws.send('quit');
        const closed = await new Promise<{ code: number }>((resolve) => ws.addEventListener('close', (event: { code: number }) => resolve({ code: event.code })));
        return { protocol: ws.protocol as string, text, types: [...new Set(frames.map((f) => f.type))], closeCode: closed.code };
      },
      { url: wsUrl, password: PASSWORD },
    );
    expect(played.protocol).toBe('terminal.mudstandards.org');
    expect(played.types).toEqual(['string']);
    expect(played.text).toMatch(/\x1b\[1;36mLimbo\x1b\[0m\r\n/);
    expect(played.text).toContain('Goodbye');
    expect(played.closeCode).toBe(1000);

    const refused = await page.evaluate(
      (url) =>
        new Promise<{ opened: boolean; code: number }>((resolve) => {
          const ws = new WebSocket(url, ['json.mudstandards.org']);
          let opened = false;
          ws.addEventListener('open', () => (opened = true));
          ws.addEventListener('close', (event: { code: number }) => resolve({ opened, code: event.code }));
        }),
      wsUrl,
    );
    // The 400 before the upgrade: the browser never opens it (1006, no close frame).
    expect(refused).toEqual({ opened: false, code: 1006 });
    expect(problems).toEqual([]);
    await page.close();

    const events = await readTable(session.run.game);
    const said = events.find((e) => e.event_type === 'say' && e.actor.character === 'Chromey');
    expect(said?.actor.protocol).toBe('ws');
  });
});
