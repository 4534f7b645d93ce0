import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { characterOf } from '../../commands/account/login.ts';
import type { CharacterCommand } from '../../commands/command.ts';
import { auditEvent } from '../../server/audit/events.ts';
import { AuditedCharacter, HISTORY_LIMIT } from '../../typeclasses/audited_character.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { accountRef, ref } from '../support/ids.ts';
import { sleep } from '../support/wait.ts';

const STAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;
/** One exact log line: timestamp, logger, level, message. */
const line = (logger: string, message: string, level = 'INFO') =>
  new RegExp(`^${STAMP} \\| ${logger.replace('.', '\\.')} \\| ${level} \\| ${message.replace(/[.*+?^${}()|[\]\\']/g, '\\$&')}$`);

describe('audit logs of a scripted telnet session', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('writes the expected lines to each of the three audit logs, in order, in the exact format', async () => {
    run = await startGame();
    const wizard = await run.login('wizard');
    await wizard.command('look', 'Limbo');
    await wizard.command('who', 'player online');
    await wizard.command('@users', 'account(s)');
    await wizard.command('north', 'Courtyard');
    await wizard.command('east', 'Library');
    await wizard.command('say hello there', 'You say');
    await wizard.command('west', 'Courtyard');
    await wizard.command('quit', 'Goodbye');
    await wizard.waitClosed();
    await expect.poll(async () => (await run.logs.lines('player_activity.log')).length).toBe(6);

    const w = ref(run, 'wizard');
    const account = accountRef(run, 'wizard');
    expect(await run.logs.lines('command_audit.log')).toEqual([
      // The first account claims the admin token (test/support/game.ts login); the token is masked.
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'claim' with args '***'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'look'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'who'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed '@users'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'north'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'east'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'say' with args 'hello there'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'west'`)),
      expect.stringMatching(line('mud.commands', `AUDIT CMD: ${w} executed 'quit'`)),
    ]);
    expect(await run.logs.lines('movement_audit.log')).toEqual([
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${w} leaving Limbo`)),
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${w} arrived at Courtyard`)),
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${w} leaving Courtyard`)),
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${w} arrived at Library`)),
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${w} leaving Library`)),
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${w} arrived at Courtyard`)),
    ]);
    expect(await run.logs.lines('player_activity.log')).toEqual([
      expect.stringMatching(line('mud.accounts', `AUDIT ACCOUNT: ${account} created from 127.0.0.1 via telnet`)),
      expect.stringMatching(line('mud.accounts', `AUDIT LOGIN: ${account} logged in from 127.0.0.1 via telnet`)),
      expect.stringMatching(line('mud.accounts', `AUDIT SESSION: ${w} puppeted by wizard from 127.0.0.1 via telnet`)),
      expect.stringMatching(line('mud.accounts', `AUDIT ACCOUNT: permissions of ${account} changed Player -> Developer via admin token by wizard`)),
      expect.stringMatching(new RegExp(`^.* \\| mud\\.accounts \\| INFO \\| AUDIT SESSION: ${w.replace(/[()#]/g, '\\$&')} unpuppeted - session \\d+s$`)),
      expect.stringMatching(line('mud.accounts', `AUDIT LOGOUT: ${account} logged out from 127.0.0.1 via telnet (quit)`)),
    ]);
    expect(await run.logs.lines('server.log')).toContainEqual(expect.stringMatching(line('mud.server', `AUDIT: Character ${w} created`)));
  });

  it('keeps counters and history across a restart and accumulates playtime over two sessions', async () => {
    run = await startGame();
    const anna = await run.login('Anna');
    await anna.command('n', 'Courtyard');
    await anna.command('e', 'Library');
    await sleep(1100);
    await anna.command('quit', 'Goodbye');
    await anna.waitClosed();
    const char = () => run.game.objects.search('Anna')[0] as AuditedCharacter;
    await expect.poll(() => char().isPuppeted).toBe(false);
    const firstPlaytime = char().auditValue('total_playtime');
    expect(firstPlaytime).toBeGreaterThan(1);

    run = await run.restart();
    const again = await run.login('Anna', 'connect');
    await again.command('@audit/json', '}');
    const summary = JSON.parse(/\{[\s\S]*\}/.exec(again.text)![0]);
    // 5: claim (Anna is the first account, see test/support/game.ts), n, e, quit, @audit/json.
    expect(summary).toMatchObject({ name: 'Anna', current_location: 'Library', commands_executed: 5, locations_visited: 2, online: true });
    expect(summary.last_location_change).toMatchObject({ from: 'Courtyard', to: 'Library' });
    expect(summary.last_location_change.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await sleep(600);
    await again.command('quit', 'Goodbye');
    await again.waitClosed();
    await expect.poll(() => char().isPuppeted).toBe(false);
    expect(char().auditValue('total_playtime')).toBeGreaterThan(firstPlaytime + 0.5);
    expect(char().auditValue('session_start_time')).toBeNull();
    expect(char().auditValue('command_count')).toBe(6);
  });

  it('caps the location history at the newest 1000 moves', async () => {
    run = await startGame();
    await run.login('Walker');
    const walker = run.game.objects.search('Walker')[0] as AuditedCharacter;
    const [limbo, courtyard] = [run.game.objects.startRoom(), run.game.objects.search('Courtyard')[0]!];
    run.game.store.unitOfWork(() => {
      for (let i = 0; i < HISTORY_LIMIT + 25; i++) walker.moveTo(i % 2 === 0 ? courtyard : limbo);
    });
    const history = walker.locationHistory();
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history.at(-1)).toMatchObject({ from: 'Limbo', to: 'Courtyard' });
    run = await run.restart();
    const reloaded = (run.game.objects.get(walker.id) as AuditedCharacter).locationHistory();
    expect(reloaded).toHaveLength(HISTORY_LIMIT);
    expect(reloaded).toEqual(history);
    const rows = run.game.store.db.prepare('SELECT COUNT(*) AS n FROM attribute_lists WHERE object_id = ?').get(walker.id) as { n: number };
    expect(rows.n).toBe(HISTORY_LIMIT);
  });

  it('shows @audit summaries: your own, and anyone\'s to builders, online or offline', async () => {
    run = await startGame();
    const admin = await run.login('Boss');
    const player = await run.login('Pleb');
    await player.command('n', 'Courtyard');
    await player.command('@audit', /Character\s+: Pleb\(#\d+\) - online/);
    await player.command('@audit Boss', 'auditing others needs Builder permission');
    await player.command('quit', 'Goodbye');
    await player.waitClosed();
    await expect.poll(() => run.game.sessions.findOnline('Pleb')).toBeNull();
    const table = await admin.command('@audit Pleb', 'Last command');
    expect(table).toMatch(/Current location\s+: Courtyard/);
    expect(table).toMatch(/Commands executed\s+: 4/);
    expect(table).toMatch(/Total playtime\s+: \d+\.\d\d h/);
    expect(table).toMatch(/Character\s+: Pleb\(#\d+\)\n/);
    await admin.command('@audit/moves Pleb 5', /The last move of Pleb:\n\s+\S+Z\s+Limbo -> Courtyard/);
    await admin.command('@audit Nobody', "No character is called 'Nobody'.");
  });
});

describe('secrets and forged lines', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('never writes a password typed at create, connect, password or @password to any log', async () => {
    const leaky: CharacterCommand = {
      key: 'leaky',
      secretArgs: true,
      help: 'leaky <password> — a test command that fails with its argument in the error.',
      run: ({ args }) => {
        throw new Error(`could not use ${args}`);
      },
    };
    run = await startGame({ game: { extraCommands: [leaky] } });
    const secrets = ['Prompted-Secret-1', 'OneLine-Secret-2', 'Changed-Secret-3', 'Admin-Set-Secret-4', 'Crash-Secret-5', 'Wrong-Secret-6'];
    const admin = await run.login('Root');
    const c = await run.connect();
    await c.createAtPrompts('Victim', secrets[0]!);
    await c.command(`password ${secrets[0]} ${secrets[2]}`, 'Password changed.');
    c.send('password');
    await c.waitFor('Current password:');
    c.send(secrets[2]!);
    await c.waitFor('New password:');
    c.send(secrets[1]!);
    await c.waitFor('Confirm password:');
    c.send(secrets[1]!);
    await c.waitFor('Password changed.');
    await c.command(`leaky ${secrets[4]}`, 'failed with an internal error');
    await c.command('quit', 'Goodbye');
    const d = await run.connect();
    await d.command(`connect Victim ${secrets[5]}`, 'Wrong name or password.');
    await d.command(`connect Victim ${secrets[1]}`, 'You become Victim');
    await admin.command(`@password Victim = ${secrets[3]}`, 'Password of Victim changed.');
    const commands = await run.logs.lines('command_audit.log');
    const [victim, root] = [ref(run, 'Victim'), ref(run, 'Root')];
    expect(commands).toContainEqual(expect.stringMatching(line('mud.commands', `AUDIT CMD: ${victim} executed 'password' with args '***'`)));
    expect(commands).toContainEqual(expect.stringMatching(line('mud.commands', `AUDIT CMD: ${victim} executed 'password'`)));
    expect(commands).toContainEqual(expect.stringMatching(line('mud.commands', `AUDIT CMD: ${root} executed '@password' with args '***'`)));
    expect(await run.logs.lines('server.log')).toContainEqual(
      expect.stringMatching(/\| ERROR \| Command 'leaky' by Victim failed: Error: \*\*\* \(message withheld: the command carries a password\)\\n\s+at /),
    );
    const everything = await run.logs.everything();
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(characterOf(run.game.objects, run.game.accounts.byName('Victim')!)!.attributes.get('command_count', 0)).toBe(4);
  });

  it('cannot forge or split a log line with newlines or control characters', async () => {
    run = await startGame();
    const mallory = await run.login('mallory');
    const forged = '2026-01-01 00:00:00 | mud.commands | INFO | forged';
    mallory.send(`say hi\n${forged}`);
    mallory.send(`say hi\u2028${forged}`);
    await mallory.command('say done', 'You say, "done"');
    // A hook or command elsewhere could hand the bus raw text; the sink must still keep one line.
    const character = run.game.objects.search('mallory')[0]!;
    run.game.audit.emit(auditEvent('command', { account: 'mallory', character: 'mallory', session_id: null, protocol: null, remote_addr: null }, { by: character, payload: { command: 'say', args: `x\r\n${forged}\x1b[2J` } }));
    const lines = await run.logs.lines('command_audit.log');
    for (const l of lines) expect(l).toMatch(new RegExp(`^${STAMP} \\| mud\\.commands \\| INFO \\| AUDIT CMD: mallory\\(#${character.id}\\) executed '`));
    expect(lines.some((l) => l.startsWith('2026-01-01 00:00:00'))).toBe(false);
    expect(lines).toContainEqual(expect.stringContaining(String.raw`with args 'hi\u2028${forged}'`));
    expect(lines).toContainEqual(expect.stringContaining(String.raw`with args 'x\r\n${forged}\x1b[2J'`));
  });
});

describe('log files', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('loses no command line across many forced rotations and keeps the live name', async () => {
    run = await startGame({ config: { logs: { auditMaxBytes: 1024, auditKeep: 1000 } as never } });
    const client = await run.login('Rotor');
    const total = 300;
    for (let i = 0; i < total; i++) client.send(`say line ${i}`);
    await client.command('say last', 'You say, "last"');
    await run.logs.lines('command_audit.log');
    const dir = run.config.logDir;
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('command_audit.log'));
    expect(files.length).toBeGreaterThan(10);
    expect(files).toContain('command_audit.log');
    // Oldest rotated file has the highest number; the live file is newest.
    const ordered = files.sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()) || (a === 'command_audit.log' ? 1 : -1));
    const says = ordered
      .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
      .map((l) => /executed 'say' with args 'line (\d+)'$/.exec(l)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    expect(says).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('creates the log directory 0700 and the files 0600', async () => {
    run = await startGame();
    await run.login('Modes');
    await run.logs.lines('command_audit.log');
    expect(fs.statSync(run.config.logDir).mode & 0o777).toBe(0o700);
    for (const entry of fs.readdirSync(run.config.logDir, { recursive: true, withFileTypes: true })) {
      // A temporary the server renamed away since the listing (the text logs' cursor) has no mode left to check.
      const stat = fs.statSync(path.join(entry.parentPath, entry.name), { throwIfNoEntry: false });
      if (!stat) continue;
      const mode = stat.mode & 0o777;
      expect([entry.name, mode]).toEqual([entry.name, entry.isDirectory() ? 0o700 : 0o600]);
    }
  });
});

describe('migrating existing characters', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('@typeclass/noinit turns a plain character into an audited one, keeping id, location and attributes', async () => {
    run = await startGame({ config: { defaultCharacterTypeclass: 'typeclasses/character.Character' } });
    const admin = await run.login('Keeper');
    const old = await run.login('Oldtimer');
    await old.command('n', 'Courtyard');
    const before = run.game.objects.search('Oldtimer')[0]!;
    await admin.command(`@set ${before.dbref}/title = "the Elder"`, 'Set Oldtimer/title');
    await old.command('@audit', 'Oldtimer is not audited (typeclass typeclasses/character.Character)');
    await admin.command(`@typeclass/noinit ${before.dbref} = typeclasses/audited_character.AuditedCharacter`, 'without running its creation hook');
    const after = run.game.objects.search('Oldtimer')[0]!;
    expect(after).toBe(before);
    expect(after).toBeInstanceOf(AuditedCharacter);
    expect(after.location?.key).toBe('Courtyard');
    expect(after.attributes.get('title', null)).toBe('the Elder');
    await old.command('e', 'Library');
    const table = await old.command('@audit', 'Last command');
    expect(table).toMatch(/Commands executed\s+: 2/);
    expect(table).toMatch(/Last location change : Courtyard -> Library/);
    const oldtimer = ref(run, 'Oldtimer');
    expect(await run.logs.lines('movement_audit.log')).toEqual([
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${oldtimer} leaving Courtyard`)),
      expect.stringMatching(line('mud.objects', `AUDIT MOVE: ${oldtimer} arrived at Library`)),
    ]);
    // An admin action now (it can switch a character's auditing off), with the before and after.
    expect(await run.logs.lines('admin_actions.log')).toContainEqual(
      expect.stringMatching(
        line('mud.admin', `TYPECLASS: ${oldtimer} typeclasses/character.Character -> typeclasses/audited_character.AuditedCharacter (noinit) by ${ref(run, 'Keeper')}`),
      ),
    );
    run = await run.restart();
    const reloaded = run.game.objects.get(before.id)!;
    expect(reloaded).toBeInstanceOf(AuditedCharacter);
    expect(reloaded.attributes.get('title', null)).toBe('the Elder');
    expect(reloaded.attributes.get('command_count', 0)).toBe(2);
  });
});
