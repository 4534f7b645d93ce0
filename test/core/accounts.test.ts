import { afterEach, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { loadConfig } from '../../server/config.ts';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';

const WILL_ECHO = Buffer.from([0xff, 0xfb, 0x01]);
const WONT_ECHO = Buffer.from([0xff, 0xfc, 0x01]);

describe('accounts and login', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('creates an account at a Password: prompt with echo off, asking twice', async () => {
    run = await startGame();
    const client = await run.connect();
    client.send('create Alice');
    await client.waitFor('Password:');
    const echoOffAt = client.raw.indexOf(WILL_ECHO);
    expect(echoOffAt).toBeGreaterThanOrEqual(0);
    client.send(PASSWORD);
    await client.waitFor('Confirm password:');
    client.send(PASSWORD);
    await client.waitFor('You become Alice');
    expect(client.raw.indexOf(WONT_ECHO, echoOffAt)).toBeGreaterThan(echoOffAt);
    expect(client.text).not.toContain(PASSWORD);
  });

  it('says why a name or password is refused', async () => {
    run = await startGame();
    const client = await run.connect();
    await client.command('create al', 'Names are 3 to 20 letters, digits or underscores.');
    await client.command('create bad-name!', 'Names are 3 to 20 letters, digits or underscores.');
    await client.command(`create ${'x'.repeat(21)}`, 'Names are 3 to 20');
    await client.command('create Bobby short', 'Passwords are at least 8 characters long.');
    client.send('create Bobby');
    await client.waitFor('Password:');
    client.send(PASSWORD);
    await client.waitFor('Confirm password:');
    client.send('something else');
    await client.waitFor('The passwords did not match.');
    await client.command(`create Bobby ${PASSWORD}`, 'You become Bobby');
    const other = await run.connect();
    await other.command(`create BOBBY ${PASSWORD}`, "The name 'BOBBY' is taken.");
  });

  it('refuses a wrong password or unknown name and logs the failure without the password', async () => {
    run = await startGame();
    (await run.login('Carol')).send('quit');
    const client = await run.connect();
    await client.command('connect Carol not-the-password', 'Wrong name or password.');
    await client.command('connect Nobody whatever123', 'Wrong name or password.');
    client.send('connect carol');
    await client.waitFor('Password:');
    client.send(PASSWORD);
    await client.waitFor('You become Carol');
    const player = await run.logs.lines('player_activity.log');
    expect(player).toContainEqual(expect.stringMatching(/\| WARN \| AUDIT LOGIN FAILED: from 127\.0\.0\.1 via telnet \(wrong password\) name 'Carol'$/));
    // A name that is no account is kept only as a keyed hash: it may be a password typed in the wrong field.
    expect(player).toContainEqual(expect.stringMatching(/\| WARN \| AUDIT LOGIN FAILED: from 127\.0\.0\.1 via telnet \(no such account\) name '\?[0-9a-f]{12}'$/));
    expect(await run.logs.everything()).not.toContain('not-the-password');
    expect(await run.logs.everything()).not.toContain('Nobody');
  });

  it('makes no account a Developer for being first: the one-time admin token does, once, and the server log says so', async () => {
    run = await startGame();
    const token = run.adminToken()!;
    const founder = await run.connect();
    await founder.command(`create Founder ${PASSWORD}`, 'You become Founder');
    expect(run.game.accounts.byName('founder')!.permissionLevel).toBe('Player');
    await founder.command('@users', "You are not allowed to use '@users'");
    await founder.command('claim not-the-token', 'That is not the admin token');
    await founder.command(`claim ${token}`, 'You are now the Developer');
    expect(run.game.accounts.byName('founder')!.permissionLevel).toBe('Developer');
    await founder.command('@users', 'account(s)');
    const newbie = await run.connect();
    await newbie.command(`create Newbie ${PASSWORD}`, 'You become Newbie');
    await newbie.command(`claim ${token}`, 'That is not the admin token (or it has been used already).');
    expect(run.game.accounts.byName('newbie')!.permissionLevel).toBe('Player');
    expect(run.adminToken()).toBeNull();
    expect(await run.logs.lines('server.log')).toContainEqual(
      expect.stringMatching(/\| mud\.server \| INFO \| Account 'Founder' claimed the admin token: full admin \(Developer\) permissions$/),
    );
    expect(await run.logs.lines('player_activity.log')).toContainEqual(
      expect.stringMatching(/\| WARN \| AUDIT ACCOUNT: permissions of Newbie\(account:\d+\) not changed Player -> Developer via admin token \(wrong or used token\) by Newbie$/),
    );
    expect(await run.logs.everything()).not.toContain(token);
    // Used up for good: a restart makes no new one while a Developer exists.
    run = await run.restart();
    expect(run.adminToken()).toBeNull();
  });

  it('stores only a salted scrypt hash of the password, at OWASP\'s cost when MUD_SCRYPT_N is unset', async () => {
    run = await startGame({ config: { scryptN: loadConfig({}, tmpdir()).scryptN } });
    await run.login('Dora');
    await run.login('Dorb');
    const rows = run.game.store.db.prepare('SELECT password_hash FROM accounts').all() as { password_hash: string }[];
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.password_hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(rows[0]!.password_hash).not.toBe(rows[1]!.password_hash);
  });

  it('changes a password with the password command', async () => {
    run = await startGame();
    const client = await run.login('Erin');
    await client.command(`password ${PASSWORD} brand-new-secret`, 'Password changed.');
    await client.command('password wrong-old-one another-secret', 'That is not your current password.');
    client.send('quit');
    const again = await run.connect();
    await again.command(`connect Erin ${PASSWORD}`, 'Wrong name or password.');
    await again.command('connect Erin brand-new-secret', 'You become Erin');
    expect(await run.logs.everything()).not.toContain('brand-new-secret');
  });

  it('takes a character over from an older connection, which is told and closed', async () => {
    run = await startGame();
    const first = await run.login('Frank');
    const second = await run.login('Frank', 'connect');
    await first.waitFor('taken over from another connection');
    await first.waitClosed();
    await second.command('look', 'Limbo');
    expect(run.game.sessions.loggedIn()).toHaveLength(1);
  });
});
