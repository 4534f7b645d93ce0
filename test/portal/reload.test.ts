/**
 * `npm start` as two processes: a telnet player stays connected, in place, across `@reload`,
 * `npm run reload` and a kill -9 of the game process. The portal keeps the connection and its
 * telnet state (NAWS); each new game re-puppets the session from the portal's snapshot, so no
 * unpuppet is written, and the trail records each reload.
 */
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { nawsBytes, npmRun, trackPortals, trailHas } from './helpers.ts';

const BACK = 'The game is back.';

describe('reload without dropping players', () => {
  const startPortal = trackPortals();

  it('keeps a telnet player connected, in place, across @reload, npm run reload and kill -9 of the game', { timeout: 120_000 }, async () => {
    const portal = await startPortal();
    const client = await TestTelnetClient.connect(portal.server.telnetPort);
    await client.waitFor('Welcome to');
    client.sendRaw(nawsBytes(123, 40));
    // The first account claims the admin token (it is the Developer then), so it may @reload.
    await client.command(`create Wiz ${PASSWORD}`, 'You become Wiz');
    await client.command(`claim ${await portal.adminToken()}`, 'You are now the Developer');
    await client.command('north', 'Courtyard');
    const sessionId = (await portal.status()).connections[0]!.id;

    // @reload, with a command typed while it runs: that command waits, then runs once, after.
    client.send('@reload');
    await client.waitFor('The game is reloading...', 30_000);
    client.send('say typed meanwhile');
    await client.waitFor(BACK, 30_000);
    await client.waitFor('You say, "typed meanwhile"');
    await client.command('look', 'Courtyard');

    const viaShell = await npmRun(portal, 'reload');
    expect(viaShell.out).toMatch(/Reloaded in \d+ ms/);
    expect(viaShell.code).toBe(0);
    await client.waitFor(BACK);
    await client.command('look', 'Courtyard');

    const before = await portal.status();
    process.kill(before.game.pid!, 'SIGKILL');
    await client.waitFor('The game stopped unexpectedly', 10_000);
    await client.waitFor(BACK, 30_000);
    await client.command('say still here', 'You say, "still here"');
    await client.command('look', 'Courtyard');

    const after = await portal.status();
    expect(after.game.pid).not.toBe(before.game.pid);
    expect(after.game).toMatchObject({ state: 'running', reloads: 2, crashRestarts: 1 });
    // The portal kept the telnet state: NAWS width and the session's id.
    expect(after.connections).toEqual([expect.objectContaining({ id: sessionId, protocol: 'telnet', width: 123, loggedIn: true })]);
    expect(client.closed).toBe(false);

    expect(await trailHas(portal, (r) => r.event_type === 'reload' && r.payload.via === 'crash')).toBe(true);
    const reloads = portal.trail().filter((r) => r.event_type === 'reload');
    expect(reloads.map((r) => [r.payload.via, r.actor.account, r.actor.session_id])).toEqual([
      ['@reload', 'Wiz', sessionId],
      ['npm run reload', null, null],
      ['crash', null, null],
    ]);
    // The @reload's actor is the session it was typed in, as the new game re-attached it.
    expect(reloads[0]!.actor).toMatchObject({ character: 'Wiz', protocol: 'telnet', remote_addr: expect.stringMatching(/127\.0\.0\.1$/) });
    expect(reloads.every((r) => r.success)).toBe(true);
    for (const r of reloads) expect(r.payload.duration_ms).toEqual(expect.any(Number));
    // Commands after each reload are the same session's, by the same character.
    const says = portal.trail().filter((r) => r.event_type === 'say');
    expect(says.map((r) => r.actor.session_id)).toEqual([sessionId, sessionId]);
    // A reload is not an unpuppet: nothing of the kind was written for Wiz.
    expect(portal.log('player_activity.log').filter((l) => /unpuppeted|logged out/.test(l))).toEqual([]);
    expect(portal.trail().filter((r) => r.event_type === 'unpuppet' || r.event_type === 'puppet').length).toBe(1);
    // Nor does a reload move anyone (no offline and back): the one move is Wiz's walk north.
    expect(portal.log('movement_audit.log').map((l) => l.replace(/^.*AUDIT MOVE: /, ''))).toEqual([
      expect.stringMatching(/^Wiz\(#\d+\) leaving Limbo$/),
      expect.stringMatching(/^Wiz\(#\d+\) arrived at Courtyard$/),
    ]);
    await expect.poll(() => portal.log('server.log'), { timeout: 10_000 }).toContainEqual(expect.stringMatching(/did not shut down cleanly/));
    client.close();
  });
});
