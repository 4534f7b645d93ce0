/**
 * The two-process server (`npm start`: portal + game) for the tests: spawned on free ports in a
 * temp dir, asked over its control socket, and cleaned up after each test (the portal is killed;
 * its game process exits on its own when the link goes).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { AuditLag } from '../../server/link/protocol.ts';
import { askServer } from '../../server/portal/control.ts';
import { ROOT, serverEnv, spawnServer, type ServerProcess } from '../support/server_process.ts';
import { tempDir } from '../support/temp_dir.ts';
import { until } from '../support/wait.ts';

export interface Portal {
  server: ServerProcess;
  dir: string;
  env: Record<string, string>;
  /** http://127.0.0.1:<web port>, from the portal's `Web client on` line (start it with MUD_WEB: 'on'). */
  webUrl(): string;
  status(): Promise<PortalStatus>;
  /** The one-time admin token the game printed (it starts a moment after the portal). */
  adminToken(): Promise<string>;
  /** Every line of a log file under logs/ (after the writes so far have landed, by polling). */
  log(file: string): string[];
  /** The JSONL audit trail's records, in order. */
  trail(): Array<{ event_type: string; actor: { account: string | null; character: string | null; session_id: number | null; protocol: string | null; remote_addr: string | null }; payload: Record<string, unknown>; success: boolean }>;
}

export interface PortalStatus {
  pid: number;
  players: number;
  game: { state: string; pid: number | null; reloads: number; crashRestarts: number; last_reload_ms: number | null };
  connections: Array<{ id: number; protocol: string; width: number | null; loggedIn: boolean }>;
  audit: AuditLag | { unknown: string };
}

export { nawsBytes } from '../support/telnet_client.ts';

/** Runs `npm run <script>` on the portal's data dir; resolves with its exit code and output. */
export function npmRun(portal: { env: Record<string, string> }, script: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', script], { cwd: ROOT, env: { ...process.env, ...portal.env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function trackPortals() {
  const started: Array<{ server: ServerProcess; dataDir: string }> = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const { server: s, dataDir } of started.splice(0)) {
      const running = s.child.exitCode === null && s.child.signalCode === null;
      // Its game process shuts down on its own once the link goes; its files are written until it has.
      const game = running ? await askServer(dataDir, { cmd: 'status' }, 5000).then((a) => (a as unknown as PortalStatus).game.pid, () => null) : null;
      if (running) s.child.kill('SIGKILL');
      await s.exited;
      if (game) await until(() => !alive(game), 30_000, 50);
    }
    // A game process may still be closing its trail (its shutdown checkpoint) as the portal exits.
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });
  return async function startPortal(options: { dir?: string; env?: Record<string, string> } = {}): Promise<Portal> {
    const dir = options.dir ?? tempDir('mud-portal-');
    if (!options.dir) dirs.push(dir);
    const env = serverEnv(dir, { MUD_WEB: 'off', ...options.env });
    const server = await spawnServer(env, { script: 'server/portal/main.ts', timeoutMs: 60_000 });
    const dataDir = env.MUD_DATA_DIR;
    started.push({ server, dataDir });
    return {
      server,
      dir,
      env,
      webUrl: () => {
        const port = /Web client on http:\/\/[^ ]*:(\d+)\//.exec(server.stdout())?.[1];
        if (!port) throw new Error(`no web port in:\n${server.stdout()}`);
        return `http://127.0.0.1:${port}`;
      },
      status: async () => (await askServer(dataDir, { cmd: 'status' })) as unknown as PortalStatus,
      adminToken: async () => {
        if (!(await until(() => server.adminToken() !== null, 30_000, 50))) throw new Error(`no admin token in:\n${server.stdout()}`);
        return server.adminToken()!;
      },
      log: (file) => {
        const full = path.join(dir, 'logs', file);
        return fs.existsSync(full) ? fs.readFileSync(full, 'utf8').split('\n').filter(Boolean) : [];
      },
      trail: () => {
        const file = path.join(dir, 'logs', 'audit', 'audit.jsonl');
        return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
      },
    };
  };
}

/** Polls until the trail has a record matching `match` (the audit worker writes asynchronously). */
export async function trailHas(portal: Portal, match: (r: ReturnType<Portal['trail']>[number]) => boolean, timeoutMs = 10_000): Promise<boolean> {
  return until(() => portal.trail().some(match), timeoutMs, 50);
}
