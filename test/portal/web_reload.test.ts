/**
 * The webclient under `npm start`: its socket.io sessions live in the portal, like telnet's, so a
 * browser stays connected, in place, across `@reload`, `npm run reload` and a kill -9 of the game
 * process; the password prompt's `secret` and the GMCP `oob` events cross the link.
 */
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { TestWebClient } from '../web/support.ts';
import { npmRun, trackPortals, trailHas } from './helpers.ts';

const BACK = 'The game is back.';

describe('browser sessions survive a reload', () => {
  const startPortal = trackPortals();

  it('keeps a socket.io player connected, in place, across @reload, npm run reload and kill -9 of the game', { timeout: 120_000 }, async () => {
    const portal = await startPortal({ env: { MUD_WEB: 'on' } });
    const web = await TestWebClient.connect(portal.webUrl());
    await web.waitFor('Welcome to', 30_000);
    // The password prompts hide the input through the link (`secret`), and show it again after.
    web.send('create Webwiz');
    await web.waitFor('Password: ');
    expect(web.secrets).toEqual([true]);
    web.send(PASSWORD);
    await web.waitFor('Confirm password: ');
    web.send(PASSWORD);
    await web.waitFor('You become Webwiz');
    await expect.poll(() => web.secrets).toEqual([true, false]);
    await web.command(`claim ${await portal.adminToken()}`, 'You are now the Developer');
    await web.command('north', 'Courtyard');
    // GMCP for the browser (`oob`) crosses the link too.
    // (It follows the room's text, in the same turn but maybe not the same socket.io packet.)
    const roomInfos = (name: string) => web.oob.filter(([pkg, data]) => pkg === 'Room.Info' && (data as { name: string }).name === name).length;
    await expect.poll(() => roomInfos('Courtyard')).toBe(1);
    const [connection] = (await portal.status()).connections;
    expect(connection).toMatchObject({ protocol: 'web', loggedIn: true });

    web.send('@reload');
    await web.waitFor('The game is reloading...', 30_000);
    web.send('say typed meanwhile');
    await web.waitFor(BACK, 30_000);
    await web.waitFor('You say, "typed meanwhile"');
    await web.command('look', 'Courtyard');

    const viaShell = await npmRun(portal, 'reload');
    expect(viaShell.code).toBe(0);
    await web.waitFor(BACK, 30_000);
    await web.command('look', 'Courtyard');

    const before = await portal.status();
    process.kill(before.game.pid!, 'SIGKILL');
    await web.waitFor('The game stopped unexpectedly', 10_000);
    await web.waitFor(BACK, 30_000);
    await web.command('say still here', 'You say, "still here"');
    await web.command('look', 'Courtyard');
    const limbo = roomInfos('Limbo');
    await web.command('south', 'Limbo');
    await expect.poll(() => roomInfos('Limbo')).toBe(limbo + 1);

    // The same socket all along: never disconnected, same session id in the portal.
    expect(web.disconnectReason).toBeNull();
    const after = await portal.status();
    expect(after.game).toMatchObject({ state: 'running', reloads: 2, crashRestarts: 1 });
    expect(after.connections).toEqual([expect.objectContaining({ id: connection!.id, protocol: 'web', loggedIn: true })]);

    expect(await trailHas(portal, (r) => r.event_type === 'reload' && r.payload.via === 'crash')).toBe(true);
    expect(portal.trail().filter((r) => r.event_type === 'reload').map((r) => r.payload.via)).toEqual(['@reload', 'npm run reload', 'crash']);
    const says = portal.trail().filter((r) => r.event_type === 'say');
    expect(says.map((r) => r.actor.session_id)).toEqual([connection!.id, connection!.id]);
    // A reload is not an unpuppet: one puppet, no unpuppet, nothing logged out.
    expect(portal.log('player_activity.log').filter((l) => /unpuppeted|logged out/.test(l))).toEqual([]);
    expect(portal.trail().filter((r) => r.event_type === 'unpuppet').length).toBe(0);
    expect(portal.trail().filter((r) => r.event_type === 'puppet').length).toBe(1);
    web.close();
  });

  it('meters what is not a line at the portal, as one process does: a flood of junk events gets a bounded answer', { timeout: 60_000 }, async () => {
    const burst = 3;
    const portal = await startPortal({ env: { MUD_WEB: 'on', MUD_RATE_EXEMPT: '', MUD_COMMAND_RATE: '1', MUD_COMMAND_BURST: String(burst) } });
    const web = await TestWebClient.connect(portal.webUrl());
    await web.waitFor('Welcome to', 30_000);
    await web.waitFor('quit');
    const started = performance.now();
    for (let i = 0; i < 30; i++) web.emitRaw('command', 'look');
    // A real line after them, answered once the junk before it has been handled.
    web.send(`create Junky ${PASSWORD}`);
    await web.waitFor('You become Junky');
    const elapsedSeconds = (performance.now() - started) / 1000;
    const answered = web.text.split("The webclient only sends 'input' events").length - 1;
    expect(answered).toBeGreaterThan(0);
    // A token bucket's bound: the burst, plus one token a second since the flood began.
    expect(answered).toBeLessThanOrEqual(burst + Math.ceil(elapsedSeconds));
    web.close();
  });
});
