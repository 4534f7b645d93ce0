import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { sleep } from '../support/wait.ts';

const STAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;

describe('admin, chat and item trails', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('writes every builder and admin command to admin_actions.log with who, what and the target', async () => {
    run = await startGame();
    const wiz = await run.login('Wiz');
    const player = await run.login('Pat');
    await wiz.command('@create lamp;lantern', 'Created lamp');
    const lamp = run.game.objects.search('lamp')[0]!;
    await wiz.command('@desc lamp = A brass lamp.', 'Description of lamp set.');
    await wiz.command('@name lamp = oil lamp', 'lamp is now called oil lamp');
    await wiz.command('@destroy oil lamp', 'Destroyed oil lamp');
    await player.command('look', 'Limbo');
    await player.command('@dig Nope', 'not allowed');
    await wiz.command('@password Pat = Another-Pass-1', 'Password of Pat changed.');
    const admin = await run.logs.lines('admin_actions.log');
    const id = lamp.id;
    expect(admin).toEqual([
      expect.stringMatching(new RegExp(`^${STAMP} \\| mud\\.admin \\| INFO \\| OBJECT CREATED: lamp\\(#${id}\\) by Wiz$`)),
      expect.stringMatching(new RegExp(`ADMIN CMD: Wiz \\(Builder\\) ran '@create' with args 'lamp;lantern' on lamp\\(#${id}\\) in Limbo$`)),
      expect.stringMatching(new RegExp(`ADMIN CMD: Wiz \\(Builder\\) ran '@desc' with args 'lamp = A brass lamp\\.' on lamp\\(#${id}\\) in Limbo$`)),
      expect.stringMatching(new RegExp(`OBJECT RENAMED: oil lamp\\(#${id}\\) from 'lamp' by Wiz$`)),
      expect.stringMatching(new RegExp(`ADMIN CMD: Wiz \\(Builder\\) ran '@name' with args 'lamp = oil lamp' on oil lamp\\(#${id}\\) in Limbo$`)),
      expect.stringMatching(new RegExp(`OBJECT DESTROYED: oil lamp\\(#${id}\\) by Wiz$`)),
      expect.stringMatching(new RegExp(`ADMIN CMD: Wiz \\(Builder\\) ran '@destroy' with args 'oil lamp' on oil lamp\\(#${id}\\) in Limbo$`)),
      expect.stringMatching(/ADMIN CMD: Wiz \(Admin\) ran '@password' with args '\*\*\*' on Pat\(#\d+\) in Limbo$/),
    ]);
    expect(await run.logs.everything()).not.toContain('Another-Pass-1');
  });

  it('writes say, whisper and emote to chat.log, IRC style', async () => {
    run = await startGame();
    const anna = await run.login('Anna');
    await run.login('Ben');
    await anna.command('say Hi all', 'You say');
    await anna.command('whisper Ben = psst', 'You whisper');
    await anna.command('pose waves.', 'Anna waves.');
    expect(await run.logs.lines('chat.log')).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d <Anna> \[Limbo\]: Hi all$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d <Anna> \[Limbo\]: \(whisper to Ben\) psst$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d <Anna> \[Limbo\]: \* Anna waves\.$/),
    ]);
  });

  it('records who got, dropped and gave which object', async () => {
    run = await startGame();
    const anna = await run.login('Anna');
    await run.login('Ben');
    await anna.command('n', 'Courtyard');
    await anna.command('e', 'Library');
    await anna.command('get book', 'You pick up');
    await anna.command('drop book', 'You drop');
    await anna.command('get book', 'You pick up');
    await anna.command('w', 'Courtyard');
    await anna.command('s', 'Limbo');
    await anna.command('give book to Ben', 'You give');
    const items = (await run.logs.lines('movement_audit.log')).filter((l) => l.includes('AUDIT ITEM'));
    expect(items).toEqual([
      expect.stringMatching(/AUDIT ITEM: Anna got old book\(#\d+\) in Library$/),
      expect.stringMatching(/AUDIT ITEM: Anna dropped old book\(#\d+\) in Library$/),
      expect.stringMatching(/AUDIT ITEM: Anna got old book\(#\d+\) in Library$/),
      expect.stringMatching(/AUDIT ITEM: Anna gave old book\(#\d+\) to Ben in Limbo$/),
    ]);
  });
});

describe('login protection', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('locks a name out after repeated failures, audits it, and tells the owner at the next login', async () => {
    run = await startGame({ game: { loginGuard: { maxFailures: 3, windowMs: 60_000, lockMs: 800 } } });
    (await run.login('Target')).send('quit');
    const attacker = await run.connect();
    await attacker.command('connect Target guess-one-1', 'Wrong name or password.');
    await attacker.command('connect Target guess-two-2', 'Wrong name or password.');
    await attacker.command('connect Target guess-three', 'Too many failed logins for this name; try again in 1 minute(s).');
    await attacker.command(`connect Target ${PASSWORD}`, 'Too many failed logins for this name');
    expect(run.game.sessions.findOnline('Target')).toBeNull();
    const player = await run.logs.lines('player_activity.log');
    expect(player.filter((l) => l.includes('AUDIT LOGIN FAILED'))).toHaveLength(3);
    expect(player.filter((l) => /\| WARN \| AUDIT LOGIN LOCKED: name 'Target' from 127\.0\.0\.1 via telnet \(\d+ failures; refused for \ds\)$/.test(l))).toHaveLength(2);
    await sleep(900);
    const owner = await run.connect();
    await owner.command(`connect Target ${PASSWORD}`, 'You become Target');
    await owner.waitFor('there were 3 failed login attempt(s) on your account since your last login');
    owner.send('quit');
    await owner.waitClosed();
    const again = await run.connect();
    await again.command(`connect Target ${PASSWORD}`, 'You become Target');
    await again.command('look', 'Limbo');
    expect(again.text).not.toContain('failed login attempt');
  });

  it('flags several accounts logged in from one address at once', async () => {
    run = await startGame();
    await run.login('First');
    await run.login('Second');
    expect(await run.logs.lines('player_activity.log')).toContainEqual(
      expect.stringMatching(/\| WARN \| AUDIT DUAL ADDRESS: 2 accounts logged in from 127\.0\.0\.1 at once: 'Second', 'First'$/),
    );
    for (const name of ['Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh']) await run.login(name);
    const last = (await run.logs.lines('player_activity.log')).filter((l) => l.includes('DUAL ADDRESS')).at(-1);
    expect(last).toMatch(/AUDIT DUAL ADDRESS: 7 accounts logged in from 127\.0\.0\.1 at once: 'Seventh', '\w+', '\w+', '\w+', '\w+', …$/);
  });
});
