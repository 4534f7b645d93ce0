import type Database from 'better-sqlite3';

/** One console login as kept (migration 10): the cookie only as its SHA-256. */
export interface ConsoleSessionRecord {
  cookieHash: string;
  accountId: number;
  accountName: string;
  address: string;
  passwordChanges: number;
  createdAt: number;
  lastSeen: number;
}

interface Row {
  cookie_hash: string;
  account_id: number;
  account_name: string;
  address: string;
  password_changes: number;
  created_at: number;
  last_seen: number;
}

/**
 * The web console's logins, kept so that a reload or a restart does not log the operators out.
 * Same connection as the ObjectStore; each call is one small statement of its own.
 */
export class ConsoleSessionStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      all: db.prepare<[], Row>('SELECT * FROM console_sessions ORDER BY created_at, cookie_hash'),
      save: db.prepare<Row>(
        `INSERT INTO console_sessions (cookie_hash, account_id, account_name, address, password_changes, created_at, last_seen)
         VALUES (@cookie_hash, @account_id, @account_name, @address, @password_changes, @created_at, @last_seen)
         ON CONFLICT(cookie_hash) DO UPDATE SET last_seen = excluded.last_seen`,
      ),
      touch: db.prepare<[number, string]>('UPDATE console_sessions SET last_seen = ? WHERE cookie_hash = ?'),
      remove: db.prepare<[string]>('DELETE FROM console_sessions WHERE cookie_hash = ?'),
    };
  }

  /** Every kept login, oldest first (the caller drops the expired ones). */
  load(): ConsoleSessionRecord[] {
    return this.stmt.all.all().map((r) => ({
      cookieHash: r.cookie_hash,
      accountId: r.account_id,
      accountName: r.account_name,
      address: r.address,
      passwordChanges: r.password_changes,
      createdAt: r.created_at,
      lastSeen: r.last_seen,
    }));
  }

  save(s: ConsoleSessionRecord): void {
    this.stmt.save.run({
      cookie_hash: s.cookieHash,
      account_id: s.accountId,
      account_name: s.accountName,
      address: s.address,
      password_changes: s.passwordChanges,
      created_at: s.createdAt,
      last_seen: s.lastSeen,
    });
  }

  touch(cookieHash: string, lastSeen: number): void {
    this.stmt.touch.run(lastSeen, cookieHash);
  }

  remove(cookieHash: string): void {
    this.stmt.remove.run(cookieHash);
  }
}
