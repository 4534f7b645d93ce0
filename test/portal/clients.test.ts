/**
 * Rich telnet clients under `npm start` stay whole across `@reload`, `npm run reload` and a
 * kill -9 of the game: a Mudlet-like GMCP client that sent Core.Supports.Set and logged in with
 * Char.Login.Credentials (over the link, its password in no log) still gets only its modules
 * and can still ask the game things out of band; a client with NAWS and MCCP2 keeps its width
 * in the game and one unbroken compressed stream; each one's next command runs in the same room
 * as the same character, and nobody is unpuppeted. And tintin++ itself, in tmux, negotiating
 * NAWS, TTYPE and MCCP2 as it does with any MUD, plays on across the same three.
 *
 * The tintin++ test needs the Debian packages tmux and tintin++; skipped loudly without them,
 * and a failure under MUD_TEST_REQUIRE_TOOLS=1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { GmcpClient, MUDLET_SUPPORTS } from '../support/gmcp_client.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { TmuxTerminal } from '../support/tmux.ts';
import { requireTool } from '../support/tools.ts';
import { nawsBytes, npmRun, trackPortals, trailHas, type Portal } from './helpers.ts';

const BACK = 'The game is back.';
const tmux = requireTool('the tintin++ across a reload test', 'tmux');
// Debian installs tt++ in /usr/games, which is not on every PATH.
const tintin = requireTool('the tintin++ across a reload test', 'tt++', '/usr/games/tt++');
/** Mapper's password: typed only inside Char.Login.Credentials, so it must be in no file. */
const GMCP_SECRET = 'Gmcp-Secret-5521';
const SUPPORTED = new Set(MUDLET_SUPPORTS.map((entry) => entry.split(' ')[0]!.toLowerCase()));
/** IRE's rule: a message's module is its name minus the last part. */
const moduleOf = (pkg: string) => pkg.slice(0, pkg.lastIndexOf('.')).toLowerCase();

/** The three ways a game is replaced under the players; `after` checks them after each. */
async function reloadEachWay(portal: Portal, adminReload: () => unknown, after: (via: string) => Promise<void>): Promise<void> {
  await adminReload();
  await after('@reload');
  const shell = await npmRun(portal, 'reload');
  expect(shell.out).toMatch(/Reloaded in \d+ ms/);
  await after('npm run reload');
  process.kill((await portal.status()).game.pid!, 'SIGKILL');
  await after('crash');
}

/** Every file under `dir`, read as text. */
function everyFile(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'latin1'))
    .join('\n');
}

describe('rich telnet clients across a reload', () => {
  const startPortal = trackPortals();

  it('a GMCP client keeps its Core.Supports and a NAWS + MCCP2 client its width and stream, across @reload, npm run reload and kill -9', { timeout: 180_000 }, async () => {
    const portal = await startPortal();
    const port = portal.server.telnetPort;

    const wiz = await TestTelnetClient.connect(port, '127.0.0.1', undefined, { mccp: true });
    await wiz.waitFor('Welcome to');
    wiz.sendRaw(nawsBytes(123, 40));
    await wiz.command(`create Wiz ${PASSWORD}`, 'You become Wiz');
    await wiz.command(`claim ${await portal.adminToken()}`, 'You are now the Developer');
    await wiz.command('north', 'Courtyard');
    expect(wiz.compressing).toBe(true);
    await wiz.command('config', 'Your connection: telnet, client unnamed, 123 columns wide.');

    const maker = await TestTelnetClient.connect(port);
    await maker.command(`create Mapper ${GMCP_SECRET}`, 'You become Mapper');
    await maker.command('quit', 'Goodbye');

    // Mudlet: GMCP agreed, its Core.Supports.Set, then a login out of band, over the link.
    const mudlet = GmcpClient.start(await TestTelnetClient.connect(port, '127.0.0.1', undefined, { width: null }));
    expect(await mudlet.next('Char.Login.Default', 0)).toEqual({ type: ['password-credentials'] });
    mudlet.send('Char.Login.Credentials', { account: 'Mapper', password: 'not-the-password' });
    expect(await mudlet.next('Char.Login.Result', 0)).toMatchObject({ success: false });
    mudlet.send('Char.Login.Credentials', { account: 'Mapper', password: GMCP_SECRET });
    expect(await mudlet.next('Char.Login.Result', 1)).toMatchObject({ success: true });
    expect(await mudlet.next('Room.Info', 0)).toMatchObject({ name: 'Limbo' });
    await mudlet.telnet.waitFor('You become Mapper');
    const mapperSession = (await portal.status()).connections.find((c) => c.loggedIn && c.width === 80)!.id;

    let said = 0;
    await reloadEachWay(portal, () => wiz.send('@reload'), async (via) => {
      let askedMeanwhile = 0;
      if (via === 'crash') {
        // Sent while no game is there: it waits in the portal with the lines, and is answered after.
        await mudlet.telnet.waitFor('The game stopped unexpectedly', 10_000);
        askedMeanwhile = mudlet.of('Char.Items.List').length;
        mudlet.send('Char.Items.Room');
      }
      await wiz.waitFor(BACK, 30_000);
      await mudlet.telnet.waitFor(BACK, 30_000);
      // (The resumed session itself sends the inventory's list first, as a login does.)
      if (via === 'crash') await expect.poll(() => mudlet.of('Char.Items.List').slice(askedMeanwhile).map((l) => l.location)).toContain('room');
      // Same character, same room; the game still knows the width NAWS gave.
      await wiz.command('look', 'Courtyard');
      await wiz.command('config', 'Your connection: telnet, client unnamed, 123 columns wide.');
      expect(wiz.mccpError, via).toBeNull();
      expect(wiz.compressing, via).toBe(true);
      await mudlet.telnet.command('look', 'Limbo');
      // Out of band to the new game: it answers.
      const lists = mudlet.of('Char.Items.List').length;
      mudlet.send('Char.Items.Inv');
      expect(await mudlet.next('Char.Items.List', lists)).toMatchObject({ location: 'inv' });
      // Its Core.Supports came across: a channel line reaches it as text, not as Comm.Channel.
      await wiz.command(`pub after ${via} ${++said}`, `[public] Wiz: after ${via} ${said}`);
      await mudlet.telnet.waitFor(`[public] Wiz: after ${via} ${said}`);
    });

    expect(mudlet.of('Comm.Channel.Text')).toEqual([]);
    const strays = mudlet.messages.filter((m) => !m.pkg.toLowerCase().startsWith('core.') && !SUPPORTED.has(moduleOf(m.pkg)));
    expect(strays.map((m) => m.pkg)).toEqual([]);
    // What changes the list still works over the link after all that: now it takes channels.
    mudlet.send('Core.Supports.Add', ['Comm.Channel 1']);
    await mudlet.telnet.command('pub with channels', '[public] Mapper: with channels');
    expect(await mudlet.next('Comm.Channel.Text', 0)).toMatchObject({ channel: 'public', text: expect.stringContaining('with channels') });

    // A resize after the reloads reaches the game too.
    wiz.sendRaw(nawsBytes(100, 30));
    await wiz.command('config', '100 columns wide.');
    expect(wiz.mccpError).toBeNull();

    expect(await trailHas(portal, (r) => r.event_type === 'reload' && r.payload.via === 'crash')).toBe(true);
    expect(portal.trail().filter((r) => r.event_type === 'reload').map((r) => r.payload.via)).toEqual(['@reload', 'npm run reload', 'crash']);
    const says = portal.trail().filter((r) => r.event_type === 'channel' && r.actor.account === 'Mapper');
    expect(says.map((r) => r.actor.session_id)).toEqual([mapperSession]);
    // Wiz and Mapper were never unpuppeted (Mapper's maker session was, when it quit).
    expect(portal.log('player_activity.log').filter((l) => /unpuppeted/.test(l))).toEqual([expect.stringMatching(/AUDIT SESSION: Mapper\(#\d+\) unpuppeted/)]);
    expect(wiz.closed || mudlet.telnet.closed).toBe(false);

    // The GMCP login's password: in no log, no trail, no console output of either process.
    portal.server.child.kill('SIGTERM');
    expect(await portal.server.exited).toBe(0);
    expect(everyFile(path.join(portal.dir, 'logs'))).not.toContain(GMCP_SECRET);
    expect(portal.server.stdout() + portal.server.stderr()).not.toContain(GMCP_SECRET);
    wiz.close();
    mudlet.telnet.close();
  });

  it.skipIf(!tmux || !tintin)('tintin++ in a terminal plays on across @reload, npm run reload and kill -9, as the same character in the same room', { timeout: 180_000 }, async () => {
    const portal = await startPortal();
    // Tall enough that the whole session stays on one screen, whatever the terminal keeps in its history.
    const term = await TmuxTerminal.start(tmux!, [tintin!, '-G', '-e', `#session mud 127.0.0.1 ${portal.server.telnetPort}`], { width: 160, height: 150 });
    try {
      const count = (lines: string[], text: string) => lines.filter((l) => l.includes(text)).length;
      await term.waitFor('Welcome to');
      await term.type('create Tinny');
      await term.waitFor('Password:');
      await term.type(PASSWORD);
      await term.waitFor('Confirm password:');
      await term.type(PASSWORD);
      await term.waitFor('You become Tinny');
      await term.type(`claim ${await portal.adminToken()}`);
      await term.waitFor('You are now the Developer');
      await term.type('north');
      await term.waitFor((lines) => count(lines, 'The cobbled courtyard') === 1);
      await term.type('config');
      const screen = await term.waitFor('Your connection:');
      // What tintin++ told the portal (TTYPE, NAWS), as the game holds it.
      const facts = screen.find((l) => l.includes('Your connection:'))!;
      expect(facts).toMatch(/Your connection: telnet, client TINTIN\+\+, \d+ columns wide\./);

      let round = 0;
      await reloadEachWay(portal, () => term.type('@reload'), async (via) => {
        round++;
        await term.waitFor((lines) => count(lines, BACK) === round, 30_000);
        await term.type('look');
        await term.waitFor((lines) => count(lines, 'The cobbled courtyard') === round + 1);
        await term.type('config');
        await term.waitFor((lines) => count(lines, facts) === round + 1);
        await term.type(`say back after ${via}`);
        await term.waitFor(`You say, "back after ${via}"`);
      });
      const status = await portal.status();
      expect(status.connections).toEqual([expect.objectContaining({ protocol: 'telnet', loggedIn: true })]);
      expect(await trailHas(portal, (r) => r.event_type === 'reload' && r.payload.via === 'crash')).toBe(true);
      const says = portal.trail().filter((r) => r.event_type === 'say');
      expect(says.map((r) => r.actor.session_id)).toEqual([status.connections[0]!.id, status.connections[0]!.id, status.connections[0]!.id]);
      expect(portal.log('player_activity.log').filter((l) => /unpuppeted/.test(l))).toEqual([]);
    } finally {
      await term.kill();
    }
  });
});
