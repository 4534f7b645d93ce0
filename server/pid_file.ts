import fs from 'node:fs';
import path from 'node:path';

/**
 * `data/server.pid` marks a running server. Shell tools that change the world (migrate-audit)
 * refuse to run beside it: the server keeps the world in memory and would overwrite them.
 */
export function pidFilePath(dataDir: string): string {
  return path.join(dataDir, 'server.pid');
}

export function writePidFile(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(pidFilePath(dataDir), `${process.pid}\n`);
}

export function removePidFile(dataDir: string): void {
  fs.rmSync(pidFilePath(dataDir), { force: true });
}

/** The pid of a live server on this data dir, or null (a stale file from a crash is ignored). */
export function runningServerPid(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFilePath(dataDir), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
