import fs from 'node:fs';
import path from 'node:path';
import { OsLock } from './os_lock.ts';

/**
 * One game at a time on a data dir: a second server, or a shell tool that changes the world
 * (admin, migrate-audit) beside a running one, would each keep the world in memory and
 * overwrite the other's changes, and write false lines into the other's logs. The lock is
 * `data/server.lock`, a real OS lock the kernel drops when the holder dies (server/os_lock.ts);
 * `data/server.pid` names the holder, for tools and people that read it, and is never trusted
 * to judge whether it lives.
 */
export function pidFilePath(dataDir: string): string {
  return path.join(dataDir, 'server.pid');
}

export function lockFilePath(dataDir: string): string {
  return path.join(dataDir, 'server.lock');
}

/** The data dir is held by another process (or another game in this one). */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number | null,
  ) {
    super(`the data dir ${dataDir} is in use by another server${pid ? ` (pid ${pid})` : ''}; stop it first, or give this one its own MUD_DATA_DIR`);
  }
}

/** Takes the data dir's lock (the directory made 0700 if missing); throws DataDirInUseError if held. */
export function lockDataDir(dataDir: string): OsLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = OsLock.acquire(lockFilePath(dataDir), { mode: 0o600, pidFile: pidFilePath(dataDir) });
  if (!(lock instanceof OsLock)) throw new DataDirInUseError(dataDir, lock.pid);
  return lock;
}

/**
 * The pid of the server holding this data dir, or null when none does: judged by the lock (a
 * free lock is taken and let go at once), the pid read from the pid file only to name it.
 */
export function runningServerPid(dataDir: string): number | null {
  if (!fs.existsSync(lockFilePath(dataDir))) return null;
  const lock = OsLock.acquire(lockFilePath(dataDir), { mode: 0o600 });
  if (lock instanceof OsLock) {
    lock.release();
    return null;
  }
  return lock.pid ?? readPidFile(dataDir) ?? -1;
}

function readPidFile(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(pidFilePath(dataDir), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
