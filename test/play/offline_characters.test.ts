/**
 * Offline characters are out of the world, as in Evennia: unpuppeted, a character leaves its
 * room (no location, the room it left remembered) and comes back there when puppeted again.
 * Nobody sees, finds or gives things to it meanwhile; staff tools still find it by name.
 */
import { describe, expect, it } from 'vitest';
import { stopAfterEach, trackServerProcesses } from '../support/cleanup.ts';
import { PASSWORD, startGame } from '../support/game.ts';
import { serverEnv } from '../support/server_process.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';

describe('offline characters', () => {
  const start = stopAfterEach(startGame);
  const processes = trackServerProcesses();

  it('leave the room on quit, are not seen, found or given to, and come back where they left', async () => {
    const run = await start();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    const boss = await run.login('Boss');
    await root.command('@create lantern', 'Created lantern');
    await root.command('give lantern to Anna', 'You give lantern to Anna.');
    await anna.command('look', /Also here: Root and Boss\.\n/);
    await boss.command('quit', 'Goodbye');
    await anna.waitFor('Boss has left the game.');

    const look = await anna.command('look', /Exits:.*\n/);
    expect(look).not.toContain('Boss');
    await anna.command('look Boss', "Could not find 'Boss'.");
    await anna.command('give lantern to Boss', "Could not find 'Boss'.");
    await anna.command('get Boss', "Could not find 'Boss'.");
    const boss2 = await run.connect();
    await boss2.command(`connect Boss ${PASSWORD}`, /You become Boss\.\n+[^\n]*Limbo\n/);
    await anna.waitFor('Boss has entered the game.');
    await anna.command('look', /Also here: Root and Boss\.\n/);

    // Going offline and back is no move: the movement log has none; the unpuppet line says it.
    expect(await run.logs.lines('movement_audit.log')).not.toContainEqual(expect.stringMatching(/AUDIT MOVE: Boss/));
    expect(await run.logs.lines('player_activity.log')).toContainEqual(expect.stringMatching(/AUDIT SESSION: Boss\(#\d+\) unpuppeted/));
  });

  it('are found by staff: @examine, @typeclass and @tel by name (an offline one comes back where it was sent); @tel goes to rooms only', async () => {
    const run = await start();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    const boss = await run.login('Boss');
    await anna.command('north', 'Courtyard');
    await boss.command('quit', 'Goodbye');

    // Anna is in another room, Boss in none: both are found by name.
    await root.command('@typeclass Anna', /Anna\(#\d+\) is a typeclasses\/audited_character\.AuditedCharacter\./);
    await root.command('@typeclass Boss', /Boss\(#\d+\) is a typeclasses\/audited_character\.AuditedCharacter\./);
    await root.command('@examine Boss', /Location\s+: - \(offline; comes back in Limbo\(#\d+\)\)\n/);
    await root.command('@audit Boss', /Current location\s+: Limbo\n/);
    await root.command('who', /Root.*\n.*Anna.*\n2 players online\./);

    // An exit is never a destination, even one named like a room's alias.
    await root.command('@tel Anna = north', "Could not find a room called 'north'.");
    await root.command('@tel Anna = Library', 'Teleported Anna to Library.');
    await anna.waitFor('Library');
    await root.command('@tel Boss = Courtyard', 'Boss is offline; they will come back in Courtyard.');
    expect(await run.logs.lines('movement_audit.log')).not.toContainEqual(expect.stringMatching(/AUDIT MOVE: Boss/));
    const boss2 = await run.connect();
    await boss2.command(`connect Boss ${PASSWORD}`, /You become Boss\.\n+[^\n]*Courtyard\n/);
  });

  it('after a crash, whoever was playing is offline at the next start, and comes back where they were', { timeout: 60_000 }, async () => {
    const dir = processes.tempDir('offline-crash');
    const env = serverEnv(dir);
    const first = await processes.spawnServer(env);
    const anna = await TestTelnetClient.connect(first.telnetPort);
    await anna.waitFor('Welcome to');
    await anna.command(`create Anna ${PASSWORD}`, 'You become Anna');
    await anna.command('north', /Courtyard/);
    first.child.kill('SIGKILL');
    await first.exited;
    anna.close();

    const again = await processes.spawnServer(env);
    const ben = await TestTelnetClient.connect(again.telnetPort);
    await ben.waitFor('Welcome to');
    await ben.command(`create Ben ${PASSWORD}`, 'You become Ben');
    await ben.waitFor(/Exits:.*\n/);
    const courtyard = await ben.command('north', /Exits:.*\n/);
    expect(courtyard).toContain('Courtyard');
    expect(courtyard).not.toContain('Anna');
    const back = await TestTelnetClient.connect(again.telnetPort);
    await back.waitFor('Welcome to');
    await back.command(`connect Anna ${PASSWORD}`, /You become Anna\.\n+[^\n]*Courtyard\n/);
    await ben.waitFor('Anna has entered the game.');
    back.close();
    ben.close();
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
