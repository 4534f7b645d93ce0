import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PASSWORD } from '../support/game.ts';
import { startWebGame, type WebGame } from './support.ts';

/** socket.io's wire format over a bare WebSocket, so the test can stop reading at will. */
const event = (name: string, ...args: unknown[]) => `42${JSON.stringify([name, ...args])}`;

describe('a browser that stops reading', () => {
  let run: WebGame | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
  });

  it('is disconnected once its unsent output passes the cap; other players keep playing', async () => {
    run = await startWebGame({ limits: { maxUnsentMessages: 200 }, config: { limits: { commandRate: 0 } } });
    const bystander = await run.login('Bystander');
    const ws = new WebSocket(`ws://127.0.0.1:${run.webPort}/socket.io/?EIO=4&transport=websocket`);
    let seen = '';
    ws.on('message', (data) => (seen += data.toString()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send('40');
    await expect.poll(() => seen.includes('Welcome to')).toBe(true);
    ws.send(event('input', `create Sponge ${PASSWORD}`));
    await expect.poll(() => seen.includes('You become Sponge')).toBe(true);

    // Stop reading, then ask for far more output than the kernel buffers hold.
    (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    for (let i = 0; i < 5000; i++) ws.send(event('input', 'help'));

    await expect.poll(() => run!.game.sessions.findOnline('Sponge'), { timeout: 20_000 }).toBeNull();
    expect(await run.logs.lines('portal.log')).toContainEqual(expect.stringMatching(/closed from 127\.0\.0\.1 via web \(output overflow\)$/));
    await bystander.command('say still fine', 'You say, "still fine"');
    ws.terminate();
  });
});
