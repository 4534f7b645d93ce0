import fs from 'node:fs';
import { afterEach } from 'vitest';
import { tempDir } from './temp_dir.ts';
import { spawnServer, type ServerProcess } from './server_process.ts';
import { Walker } from './walker.ts';

/**
 * Wraps a game starter (startWebGame, startAdminGame, ...) so that every game a test starts is
 * stopped after that test, whether it passed or failed. Call it inside the describe block.
 */
export function stopAfterEach<Args extends unknown[], Run extends { stop(): Promise<void> }>(
  startRun: (...args: Args) => Promise<Run>,
): (...args: Args) => Promise<Run> {
  const runs: Run[] = [];
  afterEach(async () => {
    await Promise.all(runs.splice(0).map((r) => r.stop()));
  });
  return async (...args: Args) => {
    const run = await startRun(...args);
    runs.push(run);
    return run;
  };
}

/**
 * For tests that run the real server as a child process and play it over telnet: whatever they
 * start through this is cleaned up after each test, so a failing test leaves no server running
 * and no temp dir behind. Walkers are closed, servers still running are SIGKILLed, dirs removed.
 * Call it inside the describe block.
 */
export function trackServerProcesses() {
  const servers: ServerProcess[] = [];
  const walkers: Walker[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const w of walkers.splice(0)) w.close();
    for (const s of servers.splice(0)) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return {
    /** Every walker logged in through `login`, in order; a test may splice them out to close them early. */
    walkers,
    /** A fresh temp dir, removed after the test. */
    tempDir(prefix: string): string {
      const dir = tempDir(prefix);
      dirs.push(dir);
      return dir;
    },
    /** spawnServer, killed after the test if it is still running by then. */
    async spawnServer(env: Record<string, string>): Promise<ServerProcess> {
      const server = await spawnServer(env);
      servers.push(server);
      return server;
    },
    /** Walker.login, closed after the test. */
    async login(telnetPort: number, name: string): Promise<Walker> {
      const walker = await Walker.login(telnetPort, name);
      walkers.push(walker);
      return walker;
    },
  };
}
