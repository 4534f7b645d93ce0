/**
 * The production start: `npm run build` compiles the server to JavaScript, and plain `node` runs
 * it, one process per role (portal, game, the game's audit worker thread), with no TypeScript
 * loader anywhere: the build's node_modules here holds every package but tsx, so an import of it
 * would fail. A player logs in, the built `server_ctl.js reload` (the systemd unit's ExecReload)
 * swaps the game under them, and SIGTERM stops it all with exit 0.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { ROOT, serverEnv, spawnServer, type ServerProcess } from '../support/server_process.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { tempDir } from '../support/temp_dir.ts';
import { until } from '../support/wait.ts';

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

/** The checkout's packages, each linked, but not tsx (nor its esbuild): the build must not need them. */
function nodeModulesWithoutTsx(dir: string): void {
  fs.mkdirSync(dir);
  const from = path.join(ROOT, 'node_modules');
  for (const name of fs.readdirSync(from)) {
    if (name === 'tsx' || name === 'esbuild' || name === '@esbuild' || name === '.bin') continue;
    fs.symlinkSync(path.join(from, name), path.join(dir, name));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The command line a process was started with. */
const commandLine = (pid: number): string => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');

describe('npm run build: the production start', () => {
  let server: ServerProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    server = dir = undefined;
  });

  it('never empties a directory that no build made (a typo in --out-dir must not wipe the data dir)', async () => {
    dir = tempDir('mud-build-');
    const precious = path.join(dir, 'data');
    fs.mkdirSync(precious);
    fs.writeFileSync(path.join(precious, 'game.sqlite3'), 'the world');
    const refused = await run('npm', ['run', '--silent', 'build', '--', '--out-dir', precious]);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('is not empty and no earlier build made it');
    expect(fs.readFileSync(path.join(precious, 'game.sqlite3'), 'utf8')).toBe('the world');
  });

  it('builds to JavaScript that plain node runs: log in, reload with the built server_ctl, SIGTERM exits 0', { timeout: 240_000 }, async () => {
    dir = tempDir('mud-build-');
    const out = path.join(dir, 'out');
    const built = await run('npm', ['run', '--silent', 'build', '--', '--out-dir', out]);
    expect(built, built.out).toMatchObject({ code: 0, out: expect.stringContaining('Built into') });
    expect(fs.existsSync(path.join(out, 'server', 'audit', 'worker', 'boot.mjs'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'web', 'index.html'))).toBe(true);
    expect(fs.readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.ts'))).toEqual([]);
    nodeModulesWithoutTsx(path.join(out, 'node_modules'));

    const env = serverEnv(dir, { NODE_ENV: 'production', MUD_WEB: 'on' });
    server = await spawnServer(env, { script: path.join(out, 'server', 'portal', 'main.js'), tsx: false, timeoutMs: 60_000 });
    const gamePid = Number(/game pid (\d+)/.exec(server.stdout())![1]);
    for (const pid of [server.pid, gamePid]) expect(commandLine(pid)).not.toMatch(/tsx|\.ts\b/);
    expect(commandLine(gamePid)).toContain(path.join(out, 'server', 'game_main.js'));

    // The web port serves the copied page, from the build.
    const webPort = Number(/Web client on http:\/\/[^:]+:(\d+)\//.exec(server.stdout())![1]);
    const page = await fetch(`http://127.0.0.1:${webPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    const client = await TestTelnetClient.connect(server.telnetPort);
    await client.waitFor('Welcome to');
    await client.command(`create Prod ${PASSWORD}`, 'You become Prod');
    await client.command('north', 'Courtyard');

    const reload = await run(process.execPath, [path.join(out, 'server', 'cli', 'server_ctl.js'), 'reload'], env);
    expect(reload, reload.out).toMatchObject({ code: 0, out: expect.stringMatching(/Reloaded in \d+ ms/) });
    await client.waitFor('The game is back.', 30_000);
    await client.command('look', 'Courtyard');
    const status = await run(process.execPath, [path.join(out, 'server', 'cli', 'server_ctl.js'), 'status'], env);
    const newGamePid = Number(/game: running \(pid (\d+)\), 1 reload\(s\)/.exec(status.out)?.[1]);
    expect(newGamePid).not.toBe(gamePid);
    expect(commandLine(newGamePid)).not.toMatch(/tsx/);
    // The audit worker thread of the built game wrote the trail (no loader, no failure).
    await expect.poll(() => fs.readFileSync(path.join(dir!, 'logs', 'command_audit.log'), 'utf8'), { timeout: 10_000 }).toMatch(/AUDIT CMD: Prod\(#\d+\) executed 'look'/);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await until(() => !alive(newGamePid), 10_000)).toBe(true);
    await client.waitFor('The server is shutting down');
    client.close();
  });
});
