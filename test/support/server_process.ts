import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  telnetPort: number;
}

/** Starts `server/main.ts` as `npm start` does, with MUD_* settings, and waits for its listeners. */
export async function spawnServer(env: Record<string, string>, { waitForPort = true } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, MUD_HOST: '127.0.0.1', MUD_TELNET_PORT: '0', MUD_WEB_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let telnetPort = 0;
  if (waitForPort) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const m = /Telnet listening on [\d.]+:(\d+)/.exec(out);
      if (m && out.includes('is running')) {
        telnetPort = Number(m[1]);
        break;
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { child, stdout: () => out, stderr: () => err, exited, telnetPort };
}
