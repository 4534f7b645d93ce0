import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { runCli } from '../support/cli.ts';
import { serverEnv, spawnServer } from '../support/server_process.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { tempDir } from '../support/temp_dir.ts';

const unpuppets = async (run: RunningGame) =>
  (await run.logs.lines('player_activity.log')).filter((l) => /AUDIT SESSION: \w+\(#\d+\) unpuppeted - session \d+s$/.test(l));

describe('session life cycle', () => {
  let run: RunningGame | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
  });

  it('unpuppets on quit, on a dropped connection and on a take-over', async () => {
    run = await startGame();
    const quitter = await run.login('Quitter');
    await quitter.command('quit', 'Goodbye!');
    await quitter.waitClosed();
    const dropper = await run.login('Dropper');
    dropper.close();
    const first = await run.login('Twice');
    await run.login('Twice', 'connect');
    await first.waitClosed();
    await expect.poll(async () => (await unpuppets(run!)).length).toBe(3);
    const lines = await unpuppets(run);
    expect(lines.map((l) => /SESSION: (\w+)\(#\d+\) /.exec(l)![1])).toEqual(['Quitter', 'Dropper', 'Twice']);
    expect(run.game.sessions.loggedIn().map((s) => s.puppet!.key)).toEqual(['Twice']);
  });

  it('closes connections that never log in after the idle time', async () => {
    run = await startGame({ config: { loginIdleTimeoutMs: 300 } });
    const idle = await run.connect();
    await idle.waitFor('Idle too long without logging in');
    await idle.waitClosed();
    expect(await run.logs.lines('portal.log')).toContainEqual(expect.stringMatching(/closed from 127\.0\.0\.1 via telnet \(idle timeout\)$/));
  });

  it('refuses an overlong line and strips control characters, keeping UTF-8', async () => {
    run = await startGame();
    const client = await run.login('Tester');
    client.send(`say ${'x'.repeat(5000)}`);
    await client.waitFor('That line was longer than 4096 bytes and was ignored.');
    await client.command('say a\x07b\x1b[31mc\u00e9\u2603', 'You say, "ab[31mcé☃"');
    await client.command('look', 'Limbo');
  });

  it('survives binary garbage and keeps serving other players', async () => {
    run = await startGame();
    const bystander = await run.login('Bystander');
    for (let i = 0; i < 20; i++) {
      const socket = net.connect(run.port, '127.0.0.1');
      socket.on('error', () => {});
      const junk = Buffer.alloc(2048);
      for (let j = 0; j < junk.length; j++) junk[j] = (i * 7919 + j * 104729) % 256;
      socket.end(junk);
    }
    await bystander.command('say still here', 'You say, "still here"');
    await expect.poll(() => run!.game.sessions.count).toBe(1);
  });
});

describe('the server process', () => {
  it('unpuppets everyone and flushes the logs on SIGTERM, exiting 0', async () => {
    const dir = tempDir();
    const env = serverEnv(dir);
    const server = await spawnServer(env);
    const client = await TestTelnetClient.connect(server.telnetPort);
    await client.command(`create Sleeper ${PASSWORD}`, 'You become Sleeper');
    await client.command('north', 'Courtyard');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await client.waitFor('The server is shutting down');
    const log = (name: string) => fs.readFileSync(path.join(dir, 'logs', name), 'utf8');
    expect(log('player_activity.log')).toMatch(/AUDIT SESSION: Sleeper\(#\d+\) unpuppeted - session \d+s\n/);
    expect(log('command_audit.log')).toMatch(/AUDIT CMD: Sleeper\(#\d+\) executed 'north'\n$/);
    expect(log('server.log')).toMatch(/Shutdown complete\n$/);

    const again = await spawnServer(env);
    const back = await TestTelnetClient.connect(again.telnetPort);
    await back.command(`connect Sleeper ${PASSWORD}`, 'Courtyard');
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    expect(log('server.log')).not.toContain('did not shut down cleanly');
  });

  it('stops cleanly on @shutdown from an admin, and only from an admin', async () => {
    const dir = tempDir();
    const server = await spawnServer(serverEnv(dir));
    const admin = await TestTelnetClient.connect(server.telnetPort);
    await admin.command(`create Boss ${PASSWORD}`, 'You become Boss');
    await admin.command(`claim ${server.adminToken()}`, 'You are now the Developer');
    const player = await TestTelnetClient.connect(server.telnetPort);
    await player.command(`create Minion ${PASSWORD}`, 'You become Minion');
    await player.command('@shutdown', "You are not allowed to use '@shutdown': it needs Admin permission.");
    admin.send('@shutdown maintenance');
    expect(await server.exited).toBe(0);
    await player.waitFor('The server is shutting down (maintenance).');
    const serverLog = fs.readFileSync(path.join(dir, 'logs', 'server.log'), 'utf8');
    expect(serverLog).toContain('Shutdown requested by Boss: maintenance');
    expect(fs.readFileSync(path.join(dir, 'logs', 'player_activity.log'), 'utf8').match(/unpuppeted - session/g)).toHaveLength(2);
    expect(fs.existsSync(path.join(dir, 'data', 'server.pid'))).toBe(false);
  });

  it('prints the one-time admin token at start, which `npm run admin -- token` shows too, until it is claimed', async () => {
    const dir = tempDir();
    const env = serverEnv(dir, { MUD_WEB: 'off' });
    const server = await spawnServer(env);
    const token = server.adminToken()!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const shown = runCli('admin.ts', ['token'], env);
    expect(shown.stdout).toContain(`claim ${token}`);
    expect(shown.code).toBe(0);
    const founder = await TestTelnetClient.connect(server.telnetPort);
    await founder.command(`create Founder ${PASSWORD}`, 'You become Founder');
    await founder.command(`claim ${token}`, 'You are now the Developer');
    const after = runCli('admin.ts', ['token'], env);
    expect(after.stderr).toContain('an account is a Developer already');
    expect(after.code).toBe(1);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    founder.close();
    const again = await spawnServer(env);
    expect(again.stdout()).not.toContain('claim');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('refuses a second server on the same data dir with a clear line, and takes the dir at once after a kill -9', async () => {
    const dir = tempDir();
    const env = serverEnv(dir, { MUD_WEB: 'off' });
    const first = await spawnServer(env);
    expect(fs.readFileSync(path.join(dir, 'data', 'server.pid'), 'utf8')).toBe(`${first.pid}\n`);
    const second = await spawnServer(env, { waitForPort: false });
    expect(await second.exited).toBe(4);
    expect(second.stderr()).toBe(`error: cannot start: the data dir ${env.MUD_DATA_DIR} is in use by another server (pid ${first.pid}); stop it first, or give this one its own MUD_DATA_DIR\n`);
    expect(fs.readFileSync(path.join(dir, 'logs', 'server.log'), 'utf8').match(/Game loaded/g)).toHaveLength(1);

    first.child.kill('SIGKILL');
    await first.exited;
    // The pid file still names the dead process; the lock went with it.
    expect(fs.existsSync(path.join(dir, 'data', 'server.pid'))).toBe(true);
    const third = await spawnServer(env);
    expect(third.stdout()).toContain('is running');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  });

  it('prints a clear error and exits 3 when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = tempDir();
    const server = await spawnServer(
      serverEnv(dir, { MUD_TELNET_PORT: String(port) }),
      { waitForPort: false },
    );
    expect(await server.exited).toBe(3);
    expect(server.stderr()).toContain(`error: cannot listen on 127.0.0.1:${port}: the port is already in use`);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
    blocker.close();
  });

  it('rejects a bad setting with a message naming it', async () => {
    const server = await spawnServer({ MUD_TELNET_PORT: 'forty' }, { waitForPort: false });
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toContain('MUD_TELNET_PORT="forty" is not a whole number from 0 to 65535');
  });
});
