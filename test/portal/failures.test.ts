/**
 * What goes wrong around a reload: new code that does not load (players stay, Admins are told,
 * a retry after the fix works), a game that keeps crashing (the portal stops trying and says
 * so), and stopping: one server per data dir, npm run stop / status, SIGTERM to either process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { ROOT, serverEnv, spawnServer } from '../support/server_process.ts';
import { tempDir } from '../support/temp_dir.ts';
import { until } from '../support/wait.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { npmRun, trackPortals } from './helpers.ts';

async function player(port: number, line: string, reply: string): Promise<TestTelnetClient> {
  const client = await TestTelnetClient.connect(port);
  await client.waitFor('Welcome to');
  await client.command(line, reply);
  return client;
}

describe('reload failures and clean stops', () => {
  const startPortal = trackPortals();

  it('keeps players connected when the new game does not load, tells the Admins why, and reloads once it is fixed', { timeout: 120_000 }, async () => {
    const broken = path.join(process.env.TMPDIR ?? '/tmp', `mud-broken-${process.pid}-${Date.now()}`);
    const portal = await startPortal({ env: { MUD_TEST_BROKEN_GAME_FILE: broken } });
    const port = portal.server.telnetPort;
    const admin = await player(port, `create Boss ${PASSWORD}`, 'You become Boss');
    await admin.command(`claim ${await portal.adminToken()}`, 'You are now the Developer');
    const pleb = await player(port, `create Pleb ${PASSWORD}`, 'You become Pleb');
    const { game: { pid: gamePid }, connections: [bossSession] } = await portal.status();
    try {
      fs.writeFileSync(broken, "Unexpected token '}' (typeclasses/character.ts:12)\nAUDIT CMD: Root(#1) executed 'forged'");
      admin.send('@reload');
      const told = await admin.waitFor(/The reload failed[^\n]*\n[\s\S]*?Unexpected token/, 30_000);
      expect(told).toContain('the game goes on with the code it had');
      // The players noticed nothing: the old game still serves them.
      await pleb.command('say anyone?', 'You say, "anyone?"');
      expect(pleb.text).not.toContain('reloading');
      expect(pleb.text).not.toContain('reload failed');
      expect((await portal.status()).game).toMatchObject({ state: 'running', pid: gamePid, reloads: 0 });
      expect((await npmRun(portal, 'reload')).out).toMatch(/reload failed: .*Unexpected token/);
      // Both failures are on the record, kept by the game that played on: who asked, which way,
      // the error's first line (no stack), and how long until it failed.
      const failedReloads = () => portal.trail().filter((r) => r.event_type === 'reload' && r.success === false);
      await expect.poll(() => failedReloads().length, { timeout: 10_000 }).toBe(2);
      const [typed, shell] = failedReloads();
      expect(typed!.actor).toMatchObject({ account: 'Boss', character: 'Boss', session_id: bossSession.id, protocol: 'telnet' });
      expect(shell!.actor).toMatchObject({ account: null, session_id: null });
      const error = "SyntaxError: Unexpected token '}' (typeclasses/character.ts:12)";
      expect(typed!.payload).toEqual({ via: '@reload', error, duration_ms: expect.any(Number), character_id: expect.any(Number) });
      expect(shell!.payload).toEqual({ via: 'npm run reload', error, duration_ms: expect.any(Number) });
      expect(portal.trail().filter((r) => r.event_type === 'reload' && r.success !== false)).toEqual([]);
      await expect
        .poll(() => portal.log('server.log'), { timeout: 10_000 })
        .toContainEqual(expect.stringMatching(/AUDIT RELOAD FAILED: game process reload asked by Boss via @reload failed after \d+ ms, the game goes on as it was: 'SyntaxError: Unexpected token \\'}\\' \(typeclasses\/character\.ts:12\)'$/));
      // The error's second line looks like an audit line: no log has it as a line of its own.
      const forged = /(^|\| )AUDIT CMD: Root\(#1\) executed 'forged'/;
      for (const file of fs.readdirSync(path.join(portal.dir, 'logs')).filter((f) => f.endsWith('.log'))) expect(portal.log(file).filter((l) => forged.test(l))).toEqual([]);
    } finally {
      fs.rmSync(broken, { force: true });
    }
    admin.send('@reload');
    await admin.waitFor('The game is back.', 30_000);
    await pleb.waitFor('The game is back.');
    await pleb.command('look', 'Limbo');
    await admin.command('say fixed', 'You say, "fixed"');
    expect((await portal.status()).game).toMatchObject({ state: 'running', reloads: 1 });
    // The retry that worked is on the record too, by the session it was typed in.
    await expect
      .poll(() => portal.trail().filter((r) => r.event_type === 'reload' && r.success).map((r) => [r.payload.via, r.actor.account, r.actor.session_id]), { timeout: 10_000 })
      .toEqual([['@reload', 'Boss', bossSession.id]]);
    expect(admin.closed || pleb.closed).toBe(false);
    admin.close();
    pleb.close();
  });

  it('stops restarting a game that keeps crashing, and says so', { timeout: 120_000 }, async () => {
    const portal = await startPortal();
    const client = await player(portal.server.telnetPort, `create Crash ${PASSWORD}`, 'You become Crash');
    for (let crash = 1; crash <= 4; crash++) {
      const { game } = await portal.status();
      process.kill(game.pid!, 'SIGKILL');
      if (crash < 4) await client.waitFor('The game is back.', 30_000);
    }
    await client.waitFor('The game keeps crashing', 10_000);
    expect((await portal.status()).game).toMatchObject({ state: 'down', pid: null, crashRestarts: 3 });
    expect((await npmRun(portal, 'status')).out).toContain('audit: unknown (no game attached)');
    // The portal's log is written asynchronously: wait for the line.
    await expect.poll(() => portal.log('portal_process.log'), { timeout: 10_000 }).toContainEqual(expect.stringMatching(/crashed 4 times within 60 s .*not restarting it/));
    // Still connected; once the cause is fixed, a reload brings the game back.
    expect(client.closed).toBe(false);
    expect((await npmRun(portal, 'reload')).code).toBe(0);
    await client.waitFor('The game is back.', 30_000);
    await client.command('look', 'Limbo');
    client.close();
  });

  it('tries a crash restart again, with the backoff, when it loaded but failed to start', { timeout: 120_000 }, async () => {
    const failing = path.join(process.env.TMPDIR ?? '/tmp', `mud-failing-start-${process.pid}-${Date.now()}`);
    const portal = await startPortal({ env: { MUD_TEST_FAILING_START_FILE: failing } });
    const client = await player(portal.server.telnetPort, `create Retry ${PASSWORD}`, 'You become Retry');
    try {
      fs.writeFileSync(failing, 'simulated: the store is busy');
      process.kill((await portal.status()).game.pid!, 'SIGKILL');
      await expect
        .poll(() => portal.log('portal_process.log'), { timeout: 30_000 })
        .toContainEqual(expect.stringMatching(/The game crashed \(the restarted game failed to start: .*simulated: the store is busy.*\); restarting it in \d+ ms/));
    } finally {
      fs.rmSync(failing, { force: true });
    }
    // The next try starts: the player, connected all along, plays on.
    await client.waitFor('The game is back.', 30_000);
    await client.command('look', 'Limbo');
    expect((await portal.status()).game.state).toBe('running');
    client.close();
  });

  it('refuses a second server on the same data dir; npm run status and npm run stop; SIGTERM to the game stops it all', { timeout: 120_000 }, async () => {
    const portal = await startPortal();
    const pidFile = path.join(portal.dir, 'data', 'server.pid');
    const second = await spawnServer(portal.env, { script: 'server/portal/main.ts', waitForPort: false });
    expect(await second.exited).toBe(4);
    expect(second.stderr()).toContain(`a server is already running on ${path.join(portal.dir, 'data')} (pid ${portal.server.pid})`);
    // The refused one touched nothing: the first keeps its pid file and its players.
    expect(fs.readFileSync(pidFile, 'utf8').trim()).toBe(String(portal.server.pid));

    const client = await player(portal.server.telnetPort, `create Stat ${PASSWORD}`, 'You become Stat');
    // SIGUSR2 sent to the game process by mistake is ignored and said so (a reload is the portal's).
    const gamePid = (await portal.status()).game.pid!;
    process.kill(gamePid, 'SIGUSR2');
    await expect.poll(() => portal.log('server.log')).toContainEqual(expect.stringContaining(`SIGUSR2 reached the game process (pid ${gamePid}) and was ignored`));
    expect((await portal.status()).game).toMatchObject({ pid: gamePid, state: 'running', crashRestarts: 0, reloads: 0 });
    await client.command('look', 'Limbo');
    // Until the audit worker's first report the game has no sink figures to give.
    await expect.poll(async () => (await portal.status()).audit, { timeout: 30_000 }).toMatchObject({ starting: false });
    const status = await npmRun(portal, 'status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`up: pid ${portal.server.pid}, uptime \\d+s`));
    expect(status.out).toMatch(/game: running \(pid \d+\), 0 reload\(s\)/);
    expect(status.out).toContain('players: 1 logged in, 1 connection(s)');
    // The game's audit lag, asked over the link: the furthest-behind sink, then each sink's.
    expect(status.out).toMatch(/^audit: \d+ events? waiting, the oldest \d+\.\d s old \(.+\)$/m);
    for (const sink of ['jsonl', 'table', 'text']) expect(status.out).toMatch(new RegExp(`^audit: .*[(; ]${sink} \\d+, \\d+\\.\\d s[;)]`, 'm'));

    const stopped = await npmRun(portal, 'stop');
    expect(stopped).toEqual({ code: 0, out: 'Stopped.\n' });
    expect(await portal.server.exited).toBe(0);
    await client.waitFor('The server is shutting down');
    expect(portal.log('player_activity.log')).toContainEqual(expect.stringMatching(/AUDIT SESSION: Stat\(#\d+\) unpuppeted - session \d+s$/));
    expect(fs.existsSync(pidFile)).toBe(false);
    const down = await npmRun(portal, 'status');
    expect(down).toMatchObject({ code: 3, out: expect.stringContaining('down: no server is running') });

    // Again on the same dir; this time SIGTERM goes to the game process.
    const again = await startPortal({ dir: portal.dir });
    const { game } = await again.status();
    process.kill(game.pid!, 'SIGTERM');
    expect(await again.server.exited).toBe(0);
    expect(again.server.stdout()).not.toContain('crash');
  });

  it('SIGTERM to the npm start process stops the portal and the game, and npm exits 0', { timeout: 60_000 }, async () => {
    const dir = tempDir('mud-npm-');
    const env = { ...process.env, ...serverEnv(dir, { MUD_WEB: 'off', MUD_HOST: '127.0.0.1', MUD_TELNET_PORT: '0' }) };
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    try {
      expect(await until(() => out.includes('is running'), 40_000)).toBe(true);
      const gamePid = Number(/game pid (\d+)/.exec(out)![1]);
      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      expect(await until(() => !alive(gamePid), 10_000)).toBe(true);
    } finally {
      npm.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
