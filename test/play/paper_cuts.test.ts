/** Paper-cuts of issue 15, played over a real socket. */
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { startGame } from '../support/game.ts';

describe('paper-cuts', () => {
  const start = stopAfterEach(startGame);

  it('counts moves in words that agree, and says @audit/moves lists them oldest first', async () => {
    const run = await start();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    await anna.command('north', 'Courtyard');
    await root.command('@audit Anna', /Locations visited\s+: 1 move, 2 distinct rooms\n/);
    await root.command('@audit/moves Anna', /The last move of Anna:\n\s+\S+Z\s+Limbo -> Courtyard\n/);
    await anna.command('south', 'Limbo');
    await root.command('@audit/moves Anna', /The last 2 moves of Anna, oldest first:\n\s+\S+Z\s+Limbo -> Courtyard\n\s+\S+Z\s+Courtyard -> Limbo\n/);
  });

  it('shows a fractional attribute such as playtime to two places in @examine', async () => {
    const run = await start();
    const root = await run.login('Root');
    await run.login('Anna');
    await root.command('@set Anna/total_playtime = 65.42999999999998', 'Set Anna/total_playtime = 65.42999999999998\n');
    const shown = await root.command('@examine Anna', /total_playtime\s+: \S+\n/);
    expect(shown).toMatch(/total_playtime\s+: 65\.43\n$/);
  });

  it('says so for an unknown switch on every command, with the ones it takes', async () => {
    const run = await start();
    const root = await run.login('Root');
    await root.command('@audit/foo Root', 'Unknown switch /foo for @audit. Try: /search, /history, /moves, /stats, /proof, /json.');
    await root.command('@typeclass/quick me', 'Unknown switch /quick for @typeclass. Try: /noinit, /list.');
    await root.command('@reports/open', 'Unknown switch /open for @reports. Try: /close.');
    await root.command('channel/mute public', 'Unknown switch /mute for channel. Try: /join, /leave, /who, /history.');
    await root.command('who/all', 'Unknown switch /all for who. It takes no switches.');
    await root.command('@dig/teleport Tower', 'Unknown switch /teleport for @dig. It takes no switches.');
    // Nothing ran: no room was dug. The refused Builder command is in the trail as failed.
    expect(run.game.objects.search('Tower')).toEqual([]);
    await run.game.auditTrail.flush();
    const refused = (await run.game.auditReader.search({ limit: 100 })).filter((e) => e.event_type === 'builder_command');
    expect(refused.map((e) => [Boolean(e.success), JSON.parse(e.payload)])).toEqual([
      [false, expect.objectContaining({ command: '@dig', switches: ['teleport'], args: 'Tower', permission: 'Builder' })],
      [false, expect.objectContaining({ command: '@reports', switches: ['open'] })],
      [false, expect.objectContaining({ command: '@typeclass', switches: ['quick'], args: 'me' })],
    ]);
  });

  it('judges a new password\'s length before asking for the confirmation', async () => {
    const run = await start();
    const client = await run.connect();
    client.send('create Shorty');
    await client.waitFor('Password:');
    client.send('abc');
    await client.waitFor('Passwords are at least 8 characters long. Try again.');
    await client.waitFor('Password:');
    expect(client.text).not.toContain('Confirm password:');
    client.send('long-enough-1');
    await client.waitFor('Confirm password:');
    client.send('long-enough-1');
    await client.waitFor('You become Shorty');
  });

  it('takes | as well as ; between aliases in @dig and @open (tintin++ splits lines at ;)', async () => {
    const run = await start();
    const root = await run.login('Root');
    await root.command('@dig Tower|tw = up|u, down|d', /Created room Tower/);
    await root.command('u', 'Tower');
    await root.command('d', 'Limbo');
    await root.command('@open portal|po = Tower', /portal/);
    await root.command('po', 'Tower');
    expect(run.game.objects.search('Tower')[0]!.aliases).toEqual(['tw']);
  });
});
