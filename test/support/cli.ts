import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './server_process.ts';

/** Runs one of the shell tools (`server/cli/*.ts`) as npm would, and returns what it said. */
export function runCli(script: string, args: string[], env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
