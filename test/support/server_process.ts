/**
 * The real server as a child process, started as `npm start` does. Used by the tests that need
 * a process of its own (signals, crashes, exit codes) and by the bench, which also starts its
 * baseline servers (bench/echo_server.ts, bench/fanout_server.ts) through it: they print the same
 * start-up lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { LOOPBACK } from '../../server/net/address.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** From the `Telnet listening on` line; 0 with `waitForPort: false`. */
  telnetPort: number;
  /** Milliseconds from spawn to the `is running` line (0 with `waitForPort: false`). */
  startMs: number;
  stdout: () => string;
  stderr: () => string;
  /** The one-time admin token the server printed at start (`claim <token>`), if it did. */
  adminToken: () => string | null;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * The settings that keep a server's (or a shell tool's) data and logs under `dir`, in `data/`
 * and `logs/`, plus any others. Loopback is exempt from the rate and per-address limits unless
 * `more` says otherwise (`MUD_RATE_EXEMPT: ''`): these servers are driven by load from 127.0.0.1.
 */
export function serverEnv(dir: string, more: Record<string, string> = {}): { MUD_DATA_DIR: string; MUD_LOG_DIR: string } & Record<string, string> {
  // Loopback exempt from the rate limits; the tests' scrypt cost (see testConfig in game.ts); `more` may set others.
  return { MUD_DATA_DIR: path.join(dir, 'data'), MUD_LOG_DIR: path.join(dir, 'logs'), MUD_RATE_EXEMPT: LOOPBACK.join(','), MUD_SCRYPT_N: String(2 ** 14), ...more };
}

/**
 * Spawns `node [nodeArgs] --import tsx <script>` (default server/main.ts; `tsx: false` for a
 * built .js, run by plain node; `script` relative to the checkout or absolute) on loopback, telnet and
 * web on free ports unless `env` says otherwise, and waits (at most `timeoutMs`) until it prints
 * `Telnet listening on <host>:<port>` and `is running`, as server/main.ts does. If it exits first
 * or takes longer, it is killed and this throws with what it printed.
 */
export async function spawnServer(
  env: Record<string, string>,
  { script = 'server/main.ts', nodeArgs = [] as string[], waitForPort = true, timeoutMs = 20_000, tsx = true } = {},
): Promise<ServerProcess> {
  const t0 = performance.now();
  const loader = tsx ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, path.resolve(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, MUD_HOST: '127.0.0.1', MUD_TELNET_PORT: '0', MUD_WEB_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const server: ServerProcess = {
    child, pid: child.pid!, telnetPort: 0, startMs: 0, stdout: () => out, stderr: () => err, exited,
    adminToken: () => /type: claim (\S+)/.exec(out)?.[1] ?? null,
  };
  if (!waitForPort) return server;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      const m = /Telnet listening on [\d.]+:(\d+)/.exec(out);
      if (!m || !out.includes('is running')) return;
      server.telnetPort = Number(m[1]);
      server.startMs = performance.now() - t0;
      child.stdout!.off('data', check);
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${script} did not start (${(error as Error).message}):\n${out}\n${err}`);
  }
  return server;
}
