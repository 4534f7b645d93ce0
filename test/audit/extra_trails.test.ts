import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { accountRef, ref } from '../support/ids.ts';
import { sleep } from '../support/wait.ts';

const STAMP = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;
const re = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** One exact line of a standard-layout log. */
const exact = (logger: string, level: string, message: string) => new RegExp(`^${STAMP} \\| ${re(logger)} \\| ${level} \\| ${re(message)}$`);

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
    // Who with their id and their own level (Wiz, the first account, is a Developer), the
    // command with its switches, an account as Pat(account:N), and the Player's refused @dig.
    const [wizRef, patRef, pat] = [ref(run, 'Wiz'), ref(run, 'Pat'), accountRef(run, 'Pat')];
    expect(admin).toEqual([
      expect.stringMatching(exact('mud.admin', 'INFO', `OBJECT CREATED: lamp(#${id}) by ${wizRef}`)),
      expect.stringMatching(exact('mud.admin', 'INFO', `ADMIN CMD: ${wizRef} (Developer) ran '@create' with args 'lamp;lantern' on lamp(#${id}) in Limbo`)),
      expect.stringMatching(exact('mud.admin', 'INFO', `ADMIN CMD: ${wizRef} (Developer) ran '@desc' with args 'lamp = A brass lamp.' on lamp(#${id}) in Limbo`)),
      expect.stringMatching(exact('mud.admin', 'INFO', `OBJECT RENAMED: oil lamp(#${id}) from 'lamp' by ${wizRef}`)),
      expect.stringMatching(exact('mud.admin', 'INFO', `ADMIN CMD: ${wizRef} (Developer) ran '@name' with args 'lamp = oil lamp' on oil lamp(#${id}) in Limbo`)),
      expect.stringMatching(exact('mud.admin', 'INFO', `OBJECT DESTROYED: oil lamp(#${id}) by ${wizRef}`)),
      expect.stringMatching(exact('mud.admin', 'INFO', `ADMIN CMD: ${wizRef} (Developer) ran '@destroy' with args 'oil lamp' on oil lamp(#${id}) in Limbo`)),
      expect.stringMatching(exact('mud.admin', 'WARN', `ACCESS DENIED: ${patRef} (Player) tried '@dig' with args 'Nope' (needs Builder) in Limbo`)),
      expect.stringMatching(exact('mud.admin', 'INFO', `ADMIN CMD: ${wizRef} (Developer) ran '@password' with args '***' on ${pat} in Limbo`)),
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
    // With the date (the file rotates by size, so it spans days) and names with their ids.
    const [annaRef, benRef] = [ref(run, 'Anna'), ref(run, 'Ben')];
    expect(await run.logs.lines('chat.log')).toEqual([
      expect.stringMatching(new RegExp(`^${STAMP} ${re(`<${annaRef}> [Limbo]: Hi all`)}$`)),
      expect.stringMatching(new RegExp(`^${STAMP} ${re(`<${annaRef}> [Limbo]: (whisper to ${benRef}) psst`)}$`)),
      expect.stringMatching(new RegExp(`^${STAMP} ${re(`<${annaRef}> [Limbo]: * Anna waves.`)}$`)),
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
    const [annaRef, benRef, book] = [ref(run, 'Anna'), ref(run, 'Ben'), ref(run, 'old book')];
    expect(items).toEqual([
      expect.stringMatching(exact('mud.objects', 'INFO', `AUDIT ITEM: ${annaRef} got ${book} in Library`)),
      expect.stringMatching(exact('mud.objects', 'INFO', `AUDIT ITEM: ${annaRef} dropped ${book} in Library`)),
      expect.stringMatching(exact('mud.objects', 'INFO', `AUDIT ITEM: ${annaRef} got ${book} in Library`)),
      expect.stringMatching(exact('mud.objects', 'INFO', `AUDIT ITEM: ${annaRef} gave ${book} to ${benRef} in Limbo`)),
    ]);
  });
});

describe('login protection', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('locks a name against new addresses after failures from anywhere; its owner still logs in, and is told', async () => {
    run = await startGame({ game: { loginGuard: { maxFailures: 3, windowMs: 60_000, lockMs: 800 } } });
    (await run.login('Target')).send('quit'); // the owner plays from 127.0.0.1
    // Three guesses from three addresses: none of them is locked as an address...
    for (const [i, from] of ['127.0.0.2', '127.0.0.3', '127.0.0.4'].entries()) {
      const guesser = await run.connect(from);
      await guesser.command(`connect Target guess-number-${i}`, 'Wrong name or password.');
    }
    // ...but the name now is, for every address that never logged in to it, even with the password.
    const fresh = await run.connect('127.0.0.5');
    await fresh.command(`connect Target ${PASSWORD}`, 'Too many failed logins for this name; try again in 1 minute(s).');
    expect(run.game.sessions.findOnline('Target')).toBeNull();
    const player = await run.logs.lines('player_activity.log');
    // The address first, the name tried (anything at all) last: see docs/fail2ban/.
    expect(player.filter((l) => /\| WARN \| AUDIT LOGIN FAILED: from 127\.0\.0\.\d via telnet \(wrong password\) name 'Target'$/.test(l))).toHaveLength(3);
    expect(player.filter((l) => /\| WARN \| AUDIT LOGIN LOCKED: from 127\.0\.0\.5 via telnet \(\d+ failures; refused for \d+s\) name 'Target'$/.test(l))).toHaveLength(1);
    // The owner, from where they logged in before, is not kept out, and hears of the guesses.
    const owner = await run.connect();
    await owner.command(`connect Target ${PASSWORD}`, 'You become Target');
    await owner.waitFor('there were 3 failed login attempt(s) on your account since your last login');
    owner.send('quit');
    await owner.waitClosed();
    // Once the lock-out is served, a new address may try again.
    await sleep(900);
    const later = await run.connect('127.0.0.5');
    await later.command(`connect Target ${PASSWORD}`, 'You become Target');
    await later.command('look', 'Limbo');
    expect(later.text).not.toContain('failed login attempt');
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
