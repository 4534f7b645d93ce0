import type Database from 'better-sqlite3';

/**
 * The login lock-outs in force (migration 9), kept so that a restart does not lift them. Same
 * connection as the ObjectStore, so a write joins the running unit of work and its commit.
 */
export class LockoutStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      live: db.prepare<[number], { key: string; until: number }>('SELECT key, until FROM login_lockouts WHERE until > ?'),
      expired: db.prepare<[number]>('DELETE FROM login_lockouts WHERE until <= ?'),
      save: db.prepare<[string, number]>('INSERT INTO login_lockouts (key, until) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET until = excluded.until'),
      remove: db.prepare<[string]>('DELETE FROM login_lockouts WHERE key = ?'),
    };
  }

  /** The lock-outs still running at `now` (those served are dropped). */
  load(now: number): Array<[key: string, until: number]> {
    this.stmt.expired.run(now);
    return this.stmt.live.all(now).map((row) => [row.key, row.until]);
  }

  /** A new lock-out; the served ones go at the same time, so the table never outgrows those in force. */
  save(key: string, until: number, now: number): void {
    this.stmt.expired.run(now);
    this.stmt.save.run(key, until);
  }

  remove(key: string): void {
    this.stmt.remove.run(key);
  }
}
