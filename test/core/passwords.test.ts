/**
 * Issue 13, item 8: scrypt at OWASP's cost with old hashes upgraded at login, no readable name
 * for a name that is no account (it may be a password typed in the wrong field), login failures
 * for Admins only, passwords trimmed alike in every form, and a private data dir on every start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD, startGame } from '../support/game.ts';
import { waitUntil } from '../support/wait.ts';
import { TestWebClient } from '../web/support.ts';
import { startAdminGame } from '../web_admin/support.ts';

const hashOf = (run: { game: { store: { db: { prepare(sql: string): { get(name: string): unknown } } } } }, name: string) =>
  (run.game.store.db.prepare('SELECT password_hash FROM accounts WHERE name = ?').get(name) as { password_hash: string }).password_hash;

describe('passwords and the files that keep them', () => {
  const start = stopAfterEach(startGame);
  const startAdmin = stopAfterEach(startAdminGame);

  it('re-hashes an N=2^14 hash at OWASP\'s N=2^17 at the next successful login, not at a failed one', async () => {
    const old = await start({ config: { scryptN: 2 ** 14 } });
    (await old.login('Oldie')).send('quit');
    expect(hashOf(old, 'Oldie')).toMatch(/^scrypt\$16384\$8\$1\$/);
    await old.stop();
    const run = await start({ dir: old.dir, config: { scryptN: 2 ** 17 } });
    const client = await run.connect();
    await client.command('connect Oldie not-the-password', 'Wrong name or password.');
    expect(hashOf(run, 'Oldie')).toMatch(/^scrypt\$16384\$/);
    await client.command(`connect Oldie ${PASSWORD}`, 'You become Oldie');
    await waitUntil(() => hashOf(run, 'Oldie').startsWith('scrypt$131072$8$1$'), 'the hash re-made at N=2^17', 10_000);
    client.send('quit');
    // The new hash is the same password.
    const again = await run.connect();
    await again.command(`connect Oldie ${PASSWORD}`, 'You become Oldie');
  });

  it('takes MUD_SCRYPT_N as a power of two, defaulting to 2^17', () => {
    expect(loadConfig({}, '/nonexistent').scryptN).toBe(131072);
    expect(loadConfig({ MUD_SCRYPT_N: '16384' }, '/nonexistent').scryptN).toBe(16384);
    expect(() => loadConfig({ MUD_SCRYPT_N: '100000' }, '/nonexistent')).toThrow(ConfigError);
    expect(() => loadConfig({ MUD_SCRYPT_N: '512' }, '/nonexistent')).toThrow(/MUD_SCRYPT_N="512"/);
  });

  it('keeps a name that is no account only as a keyed hash, and login failures from Builders', async () => {
    const run = await start();
    const admin = await run.login('Root');
    const builder = await run.login('Mason');
    run.game.accounts.byName('Mason')!.setPermissions(['Builder']);
    const slip = 'MyS3cretPass';
    for (const name of [slip, slip, 'Otherslip']) {
      const c = await run.connect();
      await c.command(`connect ${name} whatever-it-is`, 'Wrong name or password.');
    }
    await run.game.auditTrail.flush();
    const rows = await run.game.auditReader.search({ types: ['login_failed'], limit: 10 });
    const tried = rows.map((r) => JSON.parse(r.payload).name_tried as string);
    expect(tried).toHaveLength(3);
    for (const t of tried) expect(t).toMatch(/^\?[0-9a-f]{12}$/);
    expect(new Set(tried).size).toBe(2); // the same slip twice groups together
    expect(await run.logs.everything()).not.toContain(slip);
    const secret = path.join(run.config.dataDir, 'server.secret');
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);

    await builder.command('@audit/search type=login_failed', /Searching login failures needs Admin permission.*\n/);
    const mixed = await builder.command('@audit/search since=1h limit=100', /End of the results\.|More:/);
    expect(mixed).toMatch(/login_ok/);
    expect(mixed).not.toMatch(/\d\d:\d\d:\d\d {2}login_(failed|locked)|name_tried/);
    await admin.command('@audit/search type=login_failed', /login_failed .*name_tried=\?[0-9a-f]{12}/);
  });

  it('trims a password the same way at the prompt, on one line, in the webclient and in the console', async () => {
    const run = await startAdmin();
    const padded = '  spaced-out-pw  ';
    const telnet = await run.connect();
    telnet.send('create Trimmy');
    await telnet.waitFor('Password:');
    telnet.send(padded);
    await telnet.waitFor('Confirm password:');
    telnet.send('spaced-out-pw');
    await telnet.waitFor('You become Trimmy');
    telnet.send('quit');
    const oneLine = await run.connect();
    await oneLine.command('connect Trimmy spaced-out-pw', 'You become Trimmy');
    oneLine.send('quit');
    const web = await TestWebClient.connect(run.url);
    await web.waitFor('Welcome to');
    web.send('connect Trimmy');
    await web.waitFor('Password:');
    web.send(`\t${padded}`);
    await web.waitFor('You become Trimmy');
    web.close();
    // The console needs an Admin; the right password is a 403, a wrong one a 401.
    expect((await run.consoleLogin('Trimmy', padded)).status).toBe(403);
    expect((await run.consoleLogin('Trimmy', 'spaced-out-pw')).status).toBe(403);
    // A password of blanks around too few characters is judged as trimmed.
    const short = await run.connect();
    short.send('create Shorty');
    await short.waitFor('Password:');
    short.send('    abc    ');
    short.send('    abc    ');
    await short.waitFor('Passwords are at least 8 characters long.');
  });

  it('makes an existing data dir 0700 and its database files 0600 on every start', async () => {
    const first = await start();
    await first.stop();
    const data = first.config.dataDir;
    fs.chmodSync(data, 0o755);
    for (const file of fs.readdirSync(data)) fs.chmodSync(path.join(data, file), 0o644);
    // What an older server or a crash left beside the database.
    fs.writeFileSync(path.join(data, 'game.sqlite3-wal'), '', { mode: 0o644 });
    const run = await start({ dir: first.dir });
    await (await run.login('Modest')).command('say hello', 'You say');
    await run.game.auditTrail.flush();
    expect(fs.statSync(data).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(data).filter((f) => /\.sqlite3(-wal|-shm)?$|^server\.secret$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['game.sqlite3', 'game.sqlite3-wal', 'game.sqlite3-shm', 'audit.sqlite3', 'server.secret']));
    for (const file of files) expect([file, fs.statSync(path.join(data, file)).mode & 0o777]).toEqual([file, 0o600]);
  });
});
