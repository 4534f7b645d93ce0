/**
 * One server per data dir: the portal holds an exclusive SQLite lock (an fcntl lock the kernel
 * drops the moment the process dies, kill -9 included) on `data/server.lock` for as long as it
 * runs. Unlike a pid file it cannot go stale, and a second server is refused before it touches
 * anything (the pid file, the database, the logs).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface DataDirLock {
  release(): void;
}

export function lockFilePath(dataDir: string): string {
  return path.join(dataDir, 'server.lock');
}

/** The lock, or null when another live server holds it. */
export function lockDataDir(dataDir: string): DataDirLock | null {
  fs.mkdirSync(dataDir, { recursive: true });
  // No busy wait: a held lock is an answer, not a delay.
  const db = new Database(lockFilePath(dataDir), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return null;
    throw error;
  }
  return {
    release() {
      if (!db.open) return;
      db.exec('COMMIT');
      db.close();
    },
  };
}
