/**
 * Issue 13, item 1: the lock-out holds under parallel guesses. Every attempt is counted before
 * its password is hashed, and hashes go through one bounded queue, so guesses sent all at once
 * from one address are refused past the limit instead of all being evaluated.
 */
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD, startGame } from '../support/game.ts';
import type { TestTelnetClient } from '../support/telnet_client.ts';
import { ADMIN, startAdminGame } from '../web_admin/support.ts';
import type { Game } from '../../server/game.ts';

/** Counts the password checks the game really makes (each is one scrypt). */
function countChecks(game: Game): { readonly count: number } {
  const hasher = game.accounts.passwords;
  const verify = hasher.verify.bind(hasher);
  const counter = { count: 0 };
  hasher.verify = (password, stored) => {
    counter.count++;
    return verify(password, stored);
  };
  return counter;
}

const REPLY = /Wrong name or password\.|Too many failed logins|busy checking other passwords; try again in a moment\.|You become/;

describe('the lock-out under parallel guesses', () => {
  const start = stopAfterEach(startGame);
  const startAdmin = stopAfterEach(startAdminGame);

  it('evaluates at most 5 of 300 parallel telnet guesses from one address, and the right one among them does not log in', async () => {
    const run = await start();
    (await run.login('Victim')).send('quit');
    const checks = countChecks(run.game);
    const clients: TestTelnetClient[] = [];
    for (let i = 0; i < 300; i += 50) clients.push(...(await Promise.all(Array.from({ length: 50 }, () => run.connect()))));
    // All at once; the right password is the 151st.
    clients.forEach((c, i) => c.send(`connect Victim ${i === 150 ? PASSWORD : `guess-number-${i}`}`));
    const replies = await Promise.all(clients.map((c) => c.waitFor(REPLY, 60_000)));
    const said = (re: RegExp) => replies.filter((r) => re.test(r)).length;
    expect(said(/You become/)).toBe(0);
    expect(run.game.sessions.findOnline('Victim')).toBeNull();
    expect(checks.count).toBeLessThanOrEqual(5);
    expect(said(/Wrong name or password/)).toBeLessThanOrEqual(5);
    expect(said(/Too many failed logins/)).toBeGreaterThanOrEqual(295);
    const failed = (await run.logs.lines('player_activity.log')).filter((l) => l.includes('AUDIT LOGIN FAILED'));
    expect(failed.length).toBeLessThanOrEqual(5);
  });

  it('evaluates at most 5 of 200 parallel console logins over HTTP, and the right one among them gets no session', async () => {
    const run = await startAdmin();
    const checks = countChecks(run.game);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => run.consoleLogin(ADMIN, i === 100 ? PASSWORD : `guess-number-${i}`)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toEqual([]);
    expect(results.every((r) => r.setCookie === null)).toBe(true);
    expect(checks.count).toBeLessThanOrEqual(5);
    // 401 for a wrong password, 429 for the refused (and for the guess that started the lock-out).
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(195);
  });

  it('refuses at once, uncounted, a login past the hash queue, with a clear line', async () => {
    const run = await start({ game: { hashLimits: { concurrency: 1, maxWaiting: 2 } } });
    const names = ['Ann1', 'Ann2', 'Ann3', 'Ann4', 'Ann5'];
    for (const name of names) (await run.login(name)).send('quit');
    const clients = await Promise.all(names.map(() => run.connect('127.0.0.2')));
    clients.forEach((c, i) => c.send(`connect ${names[i]} wrong-password-${i}`));
    const replies = await Promise.all(clients.map((c) => c.waitFor(REPLY)));
    // One hashing, two waiting: the other two are told at once, and it is not a guess of theirs.
    expect(replies.filter((r) => r.includes('Wrong name or password.'))).toHaveLength(3);
    expect(replies.filter((r) => r.includes('The server is busy checking other passwords; try again in a moment.'))).toHaveLength(2);
    expect((await run.logs.lines('player_activity.log')).filter((l) => l.includes('AUDIT LOGIN FAILED'))).toHaveLength(3);
    // So this address has two guesses left before its lock-out, not none.
    const more = await run.connect('127.0.0.2');
    await more.command('connect Ann1 wrong-again-1', 'Wrong name or password.');
    await more.command('connect Ann2 wrong-again-2', 'Too many failed logins for this address');
    // A create past the queue is refused the same way (and not as an internal error).
    const busy = await Promise.all(['Bea1', 'Bea2', 'Bea3', 'Bea4'].map(async (name) => {
      const c = await run.connect();
      c.send(`create ${name} ${PASSWORD}`);
      return c.waitFor(/You become|busy checking other passwords|internal error/);
    }));
    expect(busy.filter((r) => r.includes('busy checking other passwords')).length).toBeGreaterThanOrEqual(1);
    expect(busy.filter((r) => r.includes('internal error'))).toEqual([]);
  });
});
