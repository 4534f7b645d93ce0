import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * An exclusive lock that the kernel itself releases when its process dies, kill -9 included.
 *
 * Node has no flock(2), but SQLite takes fcntl(2) locks on its database file: an (empty) SQLite
 * file opened with `locking_mode=EXCLUSIVE` and held in `BEGIN EXCLUSIVE` is locked for as long
 * as this connection lives. Another process is refused at once (SQLITE_BUSY; busy timeout 0),
 * and so is another connection of this process, any thread (SQLite tracks its locks per file
 * across the process, which bare fcntl locks do not). A pid file judged by `kill(pid, 0)` could
 * not tell a crashed holder from a live one whose pid the system handed out again.
 *
 * `pidFile`, when given, names the holder for the messages of those refused, and for tools that
 * read it. It is only ever a hint: the lock alone decides.
 */
export class OsLock {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly pidFile: string | null,
  ) {}

  /** The lock, or `held` with the holder's pid (per its pid file, when it wrote one) if another has it. */
  static acquire(file: string, options: { mode?: number; pidFile?: string; replacedOld?: boolean } = {}): OsLock | { held: true; pid: number | null } {
    const db = new Database(file, { timeout: 0 });
    try {
      // Nothing is ever written; a journal in memory leaves no -journal file beside the lock.
      db.pragma('journal_mode = MEMORY');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      const code = (error as { code?: string }).code;
      // Not an SQLite file: a pid-file lock of the same name left by an older version of the
      // server. Nobody can hold an OS lock through it, so it is replaced.
      if (code === 'SQLITE_NOTADB' && !options.replacedOld) {
        fs.rmSync(file, { force: true });
        return OsLock.acquire(file, { ...options, replacedOld: true });
      }
      if (code !== 'SQLITE_BUSY') throw error;
      return { held: true, pid: options.pidFile ? readPid(options.pidFile) : null };
    }
    if (options.mode !== undefined) fs.chmodSync(file, options.mode);
    if (options.pidFile) fs.writeFileSync(options.pidFile, `${process.pid}\n`, { mode: options.mode ?? 0o600 });
    return new OsLock(db, file, options.pidFile ?? null);
  }

  get held(): boolean {
    return this.db.open;
  }

  /** Lets go (closing the connection drops the fcntl lock); the pid file goes with it. */
  release(): void {
    if (!this.db.open) return;
    if (this.pidFile && readPid(this.pidFile) === process.pid) fs.rmSync(this.pidFile, { force: true });
    this.db.close();
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
