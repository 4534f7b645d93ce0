import { afterEach, describe, expect, it } from 'vitest';
import { readTable, readTrail } from '../audit_trail/helpers.ts';
import type { AuditEvent } from '../../server/audit/events.ts';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { accountRef, ref } from '../support/ids.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';

/**
 * The staff actions in the JSONL trail: actor, target and reason; the audit table holds the
 * very same (checked here, for every test that reads them).
 */
async function trailActions(run: RunningGame) {
  await run.game.auditTrail.flush();
  const facts = (r: AuditEvent) => ({ actor: r.actor.account, action: r.payload.action, target: r.target?.name ?? null, reason: r.payload.reason });
  const fromJsonl = readTrail(run.config.logDir).filter((r) => r.event_type === 'admin_action').map(facts);
  const fromTable = (await readTable(run.game)).filter((r) => r.event_type === 'admin_action').map(facts);
  expect(fromTable).toEqual(fromJsonl);
  return fromJsonl;
}

const STAFF_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| mud\.admin \| INFO \| (STAFF .*)$/;

/** The `STAFF …` lines of admin_actions.log, each from `STAFF` on (after the time, logger and level). */
async function staffLines(run: RunningGame): Promise<string[]> {
  return (await run.logs.lines('admin_actions.log')).flatMap((line) => STAFF_LINE.exec(line)?.[1] ?? []);
}

describe('staff tools', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('@boot ends the player\'s session with the reason, in admin_actions.log and the trail', async () => {
    run = await startGame();
    const root = await run.login('Root'); // the first account: Developer
    const pleb = await run.login('Pleb');
    await root.command('@boot Pleb = flooding the room', 'Booted Pleb (1 session(s))');
    await pleb.waitFor('You have been booted from the game by Root (reason: flooding the room).');
    await pleb.waitClosed();
    await root.command('who', /Root/);
    expect(run.game.sessions.loggedIn().map((s) => s.account!.name)).toEqual(['Root']);
    expect(await run.logs.lines('admin_actions.log')).toContainEqual(
      expect.stringMatching(/\| mud\.admin \| INFO \| STAFF BOOT: Root\(#\d+\) \(Developer\) on Pleb\(account:2\) reason 'flooding the room'$/),
    );
    expect(await trailActions(run)).toEqual([{ actor: 'Root', action: 'boot', target: 'Pleb', reason: 'flooding the room' }]);
  });

  it('bans survive a restart: a banned address is refused at connect, a banned name at login, and @unban lifts them', async () => {
    run = await startGame();
    const root = await run.login('Root');
    const pleb = await run.login('Pleb');
    await root.command('@ban 127.0.0.1 = mine', 'That would ban your own address');
    await root.command('@ban 127.0.0.2/31 for 1h = spam bots', /Banned address 127\.0\.0\.2\/31 for 1h \(ban #1\)/);
    await root.command('@ban Pleb = harassment', /Banned name pleb \(ban #2\); 1 session\(s\) disconnected/);
    await pleb.waitFor("The name 'pleb' is banned from this game with no end (reason: harassment).");
    await pleb.waitClosed();
    await root.command('quit', 'Goodbye');

    run = await run.restart();
    const refused = await TestTelnetClient.connect(run.port, '127.0.0.1', '127.0.0.3');
    await refused.waitFor(/Your address is banned from this game until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(reason: spam bots\)\./);
    await refused.waitClosed();
    // Refused twice more from the same address within the minute: still the one line for it.
    for (let attempt = 0; attempt < 2; attempt++) {
      const again = await TestTelnetClient.connect(run.port, '127.0.0.1', '127.0.0.3');
      await again.waitFor('Your address is banned from this game');
      await again.waitClosed();
    }
    // Another address in the range has its own minute.
    const neighbour = await TestTelnetClient.connect(run.port, '127.0.0.1', '127.0.0.2');
    await neighbour.waitClosed();
    const other = await TestTelnetClient.connect(run.port, '127.0.0.1', '127.0.0.4');
    await other.waitFor('Welcome to');
    other.close();
    const banned = await run.connect();
    await banned.command(`connect Pleb ${PASSWORD}`, "The name 'Pleb' is banned from this game with no end (reason: harassment).");
    const root2 = await run.login('Root', 'connect');
    await root2.command('@bans', /1 +address +127\.0\.0\.2\/31 .* Root +spam bots\n2 +name +pleb +never +Root +harassment\n2 ban\(s\)\./);
    await root2.command('@unban pleb = apologised', 'Lifted ban #2 on name pleb.');
    await banned.command(`connect Pleb ${PASSWORD}`, 'You become Pleb');

    const portal = await run.logs.lines('portal.log');
    expect(portal.filter((l) => l.includes('AUDIT BANNED'))).toEqual([
      expect.stringMatching(/\| WARN \| AUDIT BANNED: from 127\.0\.0\.3 via telnet \(address ban #1 on '127\.0\.0\.2\/31'; 0 more refused in the minute before\)$/),
      expect.stringMatching(/\| WARN \| AUDIT BANNED: from 127\.0\.0\.2 via telnet \(address ban #1 on '127\.0\.0\.2\/31'; 0 more refused in the minute before\)$/),
    ]);
    expect((await run.logs.lines('player_activity.log')).filter((l) => l.includes('AUDIT BANNED'))).toEqual([
      expect.stringMatching(/\| WARN \| AUDIT BANNED: from 127\.0\.0\.1 via telnet \(name ban #2 on 'pleb'; 0 more refused in the minute before\) name 'Pleb'$/),
    ]);
    expect(await trailActions(run)).toEqual([
      { actor: 'Root', action: 'ban', target: '127.0.0.2/31', reason: 'spam bots' },
      { actor: 'Root', action: 'ban', target: 'pleb', reason: 'harassment' },
      { actor: 'Root', action: 'unban', target: 'pleb', reason: 'apologised' },
    ]);
    const me = ref(run, 'Root');
    expect(await staffLines(run)).toEqual([
      `STAFF BAN: ${me} (Developer) on '127.0.0.2/31' for 3600s reason 'spam bots'`,
      `STAFF BAN: ${me} (Developer) on 'pleb' reason 'harassment'`,
      `STAFF UNBAN: ${me} (Developer) on 'pleb' reason 'apologised'`,
    ]);
  });

  it('quotes a banned or unlocked name in admin_actions.log, so that it cannot pass for a reason', async () => {
    run = await startGame({ game: { loginGuard: { maxFailures: 2, windowMs: 60_000, lockMs: 600_000 } } });
    const root = await run.login('Root');
    await root.command("@ban x reason 'y' = z", "Banned name x reason 'y' (ban #1).");
    const guesser = await run.connect();
    await guesser.command("connect o'reason'q wrong-guess", 'Wrong name or password.');
    await root.command("@unlock o'reason'q = w", "Lifted the login lock-out of name o'reason'q.");
    const me = ref(run, 'Root');
    expect(await staffLines(run)).toEqual([
      `STAFF BAN: ${me} (Developer) on 'x reason \\'y\\'' reason 'z'`,
      `STAFF UNLOCK: ${me} (Developer) on 'o\\'reason\\'q' reason 'w'`,
    ]);
  });

  it('refuses an IPv6 address and CIDR range at connect', async () => {
    run = await startGame({ config: { host: '::1' } });
    const root = await TestTelnetClient.connect(run.port, '::1');
    await root.waitFor('Welcome to');
    await root.command(`create Root ${PASSWORD}`, 'You become Root');
    await root.command(`claim ${run.adminToken()}`, 'You are now the Developer');
    await root.command('@ban ::1 = loopback six', 'That would ban your own address (::1)');
    await root.command('@ban 2001:db8::/32 = range', 'Banned address 2001:db8::/32');
    expect(run.game.staff.addressBan('2001:db8:1::5')?.pattern).toBe('2001:db8::/32');
    expect(run.game.staff.addressBan('::ffff:2001:db9::1')).toBeNull();
    expect(run.game.staff.refuseConnection('2001:db8::77', 'telnet')).toMatch(/^Your address is banned/);
    expect(run.game.staff.addressBan('2001:db9::1')).toBeNull();
  });

  it('a muted player cannot say, pose, whisper or talk on any channel until unmuted, and is told so', async () => {
    run = await startGame();
    const root = await run.login('Root');
    const pleb = await run.login('Pleb');
    await root.command('@ccreate staffroom;sr = for everyone', 'staffroom');
    await pleb.command('channel/join staffroom', 'You join [staffroom].');
    await root.command('@mute Pleb for 10m = spamming', 'Muted Pleb for 10m (reason: spamming).');
    await pleb.waitFor(/You have been muted by Root until .* UTC \(reason: spamming\)\./);
    for (const line of ['say hello', 'pose waves', 'whisper Root = psst', 'pub hello all', 'public hello all', 'sr psst', 'channel public = hi']) {
      await pleb.command(line, /You are muted until .* \(reason: spamming\); nobody hears you\./);
    }
    await root.command('look', 'Limbo');
    expect(root.text).not.toMatch(/Pleb says|Pleb waves|Pleb whispers|\[public\] Pleb|\[staffroom\] Pleb/);
    expect(await run.logs.lines('chat.log')).not.toContainEqual(expect.stringContaining('Pleb'));
    await root.command('@unmute Pleb', 'Unmuted Pleb.');
    await pleb.waitFor('You are no longer muted.');
    await pleb.command('say hello again', 'You say, "hello again"');
    await root.waitFor('Pleb says, "hello again"');
    expect((await run.logs.lines('chat.log')).filter((l) => l.includes('Pleb'))).toHaveLength(1);
    expect(await trailActions(run)).toEqual([
      { actor: 'Root', action: 'mute', target: 'Pleb', reason: 'spamming' },
      { actor: 'Root', action: 'unmute', target: 'Pleb', reason: '' },
    ]);
    const [me, plebAccount] = [ref(run, 'Root'), accountRef(run, 'Pleb')];
    expect(await staffLines(run)).toEqual([
      `STAFF MUTE: ${me} (Developer) on ${plebAccount} for 600s reason 'spamming'`,
      `STAFF UNMUTE: ${me} (Developer) on ${plebAccount} reason ''`,
    ]);
  });

  it('@wall reaches everyone; @lockdown keeps non-staff out with the reason; @perm changes levels, never above one\'s own', async () => {
    run = await startGame();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    const bob = await run.login('Bob');
    await root.command('@wall Restart in five minutes', 'Announcement from Root: Restart in five minutes');
    await anna.waitFor('Announcement from Root: Restart in five minutes');
    await bob.waitFor('Announcement from Root: Restart in five minutes');

    await root.command('@perm Anna = Admin', 'Anna is now Admin (was Player).');
    await anna.waitFor('Your permission is now Admin (was Player), set by Root.');
    await anna.command('@perm Root = Player', 'You cannot change Root: they are Developer, above your Admin.');
    await anna.command('@perm Bob = Developer', "'Developer' is not a level @perm sets");
    await anna.command('@perm Bob = Builder runs the quests', 'Bob is now Builder (was Player).');
    await anna.command('@perm Anna = Player', 'You cannot change your own permission');
    await root.command('@perm Bob = Player', 'Bob is now Player (was Builder).');

    await root.command('@lockdown on = maintenance', 'Lock-down on: only staff may log in (maintenance); 1 player session(s) disconnected.');
    // Bob (a Player) is let go with the reason; Anna (an Admin) plays on.
    await bob.waitFor('The game is locked down by Root: only staff may play now (maintenance). Please come back later.');
    await bob.waitClosed();
    await anna.command('say still in', 'You say, "still in"');
    const late = await run.connect();
    await late.command(`connect Bob ${PASSWORD}`, 'The game is locked down: only staff may log in now (maintenance). Please try again later.');
    await late.command(`create Carl ${PASSWORD}`, 'The game is locked down');
    await anna.command('quit', 'Goodbye');
    const staff = await run.login('Anna', 'connect');
    await root.command('@lockdown off', 'Lock-down off');
    await late.command(`connect Bob ${PASSWORD}`, 'You become Bob');
    await staff.command('@wall done', 'Announcement from Anna: done');

    expect(await trailActions(run)).toEqual([
      { actor: 'Root', action: 'wall', target: null, reason: '' },
      { actor: 'Root', action: 'perm', target: 'Anna', reason: '' },
      { actor: 'Anna', action: 'perm', target: 'Bob', reason: 'runs the quests' },
      { actor: 'Root', action: 'perm', target: 'Bob', reason: '' },
      { actor: 'Root', action: 'lockdown_on', target: null, reason: 'maintenance' },
      { actor: 'Root', action: 'lockdown_off', target: null, reason: '' },
      { actor: 'Anna', action: 'wall', target: null, reason: '' },
    ]);
    const [me, annaChar, annaAccount, bobAccount] = [ref(run, 'Root'), ref(run, 'Anna'), accountRef(run, 'Anna'), accountRef(run, 'Bob')];
    expect(await staffLines(run)).toEqual([
      `STAFF WALL: ${me} (Developer) message 'Restart in five minutes' reason ''`,
      `STAFF PERM: ${me} (Developer) on ${annaAccount} from Player to Admin reason ''`,
      `STAFF PERM: ${annaChar} (Admin) on ${bobAccount} from Player to Builder reason 'runs the quests'`,
      `STAFF PERM: ${me} (Developer) on ${bobAccount} from Builder to Player reason ''`,
      `STAFF LOCKDOWN_ON: ${me} (Developer) reason 'maintenance'`,
      `STAFF LOCKDOWN_OFF: ${me} (Developer) reason ''`,
      `STAFF WALL: ${annaChar} (Admin) message 'done' reason ''`,
    ]);
  });

  it('@unlock lifts a login lock-out', async () => {
    run = await startGame({ game: { loginGuard: { maxFailures: 2, windowMs: 60_000, lockMs: 600_000 } } });
    const root = await run.login('Root');
    await run.login('Pleb');
    const guesser = await run.connect();
    await guesser.command('connect Pleb wrong-guess-1', 'Wrong name or password.');
    await guesser.command('connect Pleb wrong-guess-2', 'Too many failed logins');
    await guesser.command(`connect Pleb ${PASSWORD}`, 'Too many failed logins');
    await root.command('@unlock Pleb = it was them', 'Lifted the login lock-out of name Pleb.');
    await root.command('@unlock 127.0.0.1', 'Lifted the login lock-out of address 127.0.0.1.');
    await guesser.command(`connect Pleb ${PASSWORD}`, 'You become Pleb');
    await root.command('@unlock Nobody', "'Nobody' is not locked out");
    expect(await trailActions(run)).toEqual([
      { actor: 'Root', action: 'unlock', target: 'Pleb', reason: 'it was them' },
      { actor: 'Root', action: 'unlock', target: '127.0.0.1', reason: '' },
    ]);
    const me = ref(run, 'Root');
    expect(await staffLines(run)).toEqual([
      `STAFF UNLOCK: ${me} (Developer) on 'Pleb' reason 'it was them'`,
      `STAFF UNLOCK: ${me} (Developer) on '127.0.0.1' reason ''`,
    ]);
  });

  it('keeps login lock-outs across a restart, until @unlock lifts them', async () => {
    run = await startGame({ game: { loginGuard: { maxFailures: 2, windowMs: 60_000, lockMs: 600_000 } } });
    await run.login('Root');
    await run.login('Pleb');
    const guesser = await run.connect('127.0.0.3');
    await guesser.command('connect Pleb wrong-guess-1', 'Wrong name or password.');
    await guesser.command('connect Pleb wrong-guess-2', 'Too many failed logins');

    run = await run.restart();
    // Still locked: the address that guessed, for any name, and the name, from an address that never played it.
    const again = await run.connect('127.0.0.3');
    await again.command(`connect Root ${PASSWORD}`, 'Too many failed logins');
    const elsewhere = await run.connect('127.0.0.4');
    await elsewhere.command(`connect Pleb ${PASSWORD}`, 'Too many failed logins');
    const root = await run.connect();
    await root.command(`connect Root ${PASSWORD}`, 'You become Root');
    await root.command('@unlock Pleb', 'Lifted the login lock-out of name Pleb.');
    await elsewhere.command(`connect Pleb ${PASSWORD}`, 'You become Pleb');
    await root.command('@unlock 127.0.0.3', 'Lifted the login lock-out of address 127.0.0.3.');
    await again.command(`connect Root ${PASSWORD}`, 'You become Root');

    // Lifted for good: after another restart nobody is locked out.
    run = await run.restart();
    const later = await run.connect('127.0.0.3');
    await later.command(`connect Pleb ${PASSWORD}`, 'You become Pleb');
  });

  it('a report keeps both players\' last audit events; staff see it, list it and close it with a note', async () => {
    run = await startGame();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    const boss = await run.login('Boss');
    await boss.command('say you are all idiots', 'You say');
    await anna.command('report Boss = insults everyone', 'Thank you: report #1 is filed about Boss');
    await root.waitFor('[Report #1] Anna about Boss: insults everyone');
    await root.command('@reports', /1 +\d{4}-.* Anna +Boss +insults everyone\n1 open report/);
    const shown = await root.command('@reports 1', /Evidence: \d+ audit event\(s\)[^]*you are all idiots/);
    expect(shown).toMatch(/login_ok/);
    await root.command('@reports/close 1 = warned Boss', 'Report #1 closed.');
    await root.command('@reports', 'No open reports.');
    await anna.command('report the lamp in the library flickers', 'report #2 is filed, and the staff');
    expect(await run.logs.lines('admin_actions.log')).toContainEqual(
      expect.stringMatching(/\| INFO \| REPORT #1: Anna\(#\d+\) about Boss\(account:3\): 'insults everyone'$/),
    );
    expect(await trailActions(run)).toEqual([{ actor: 'Root', action: 'report_close', target: '#1', reason: 'warned Boss' }]);
    expect(await staffLines(run)).toEqual([`STAFF REPORT_CLOSE: ${ref(run, 'Root')} (Developer) on '#1' reason 'warned Boss'`]);
  });

  it('disconnects idle players after MUD_IDLE_SECONDS, staff exempt', async () => {
    run = await startGame({ config: { idleTimeoutMs: 600 } });
    const root = await run.login('Root');
    const pleb = await run.login('Pleb');
    await pleb.waitFor(/You have been idle for more than 1s; goodbye\./);
    await pleb.waitClosed();
    // Root, idle as long, is staff.
    await root.command('look', 'Limbo');
    expect(run.game.sessions.loggedIn().map((s) => s.account!.name)).toEqual(['Root']);
  });

  it('refuses every staff tool to a Player, audited as ACCESS DENIED', async () => {
    run = await startGame();
    await run.login('Root');
    const pleb = await run.login('Pleb');
    const tools = ['@boot Root', '@ban 10.0.0.0/8', '@unban 1', '@bans', '@mute Root', '@unmute Root', '@wall hi', '@lockdown on', '@perm Pleb = Admin', '@unlock Pleb', '@reports'];
    for (const line of tools) await pleb.command(line, 'You are not allowed to use');
    const denied = (await run.logs.lines('admin_actions.log')).filter((l) => l.includes('ACCESS DENIED'));
    expect(denied).toHaveLength(tools.length);
    expect(await trailActions(run)).toEqual([]);
    // Each refusal is in the JSONL trail and the table too, by Pleb, naming the tool.
    const refused = (r: AuditEvent) => r.event_type === 'access_denied' && r.actor.account === 'Pleb';
    const words = tools.map((t) => t.split(' ')[0]);
    expect(readTrail(run.config.logDir).filter(refused).map((r) => r.payload.command)).toEqual(words);
    expect((await readTable(run.game)).filter(refused).map((r) => r.payload.command)).toEqual(words);
  });
});
