/**
 * The audit outbox: the game thread's only audit write. An event is one INSERT in the turn's
 * transaction (inside the command's savepoint when a command states it), so it is on disk in
 * the same COMMIT as the change it describes, before the player sees the reply; a command that
 * rolls back takes its events with it. The audit worker reads the rows in seq order on its own
 * connection and the game deletes the rows every sink has taken.
 */
import type Database from 'better-sqlite3';
import type { ObjectStore } from './object_store.ts';

export interface OutboxRow {
  seq: number;
  ts: string;
  /** The AuditEvent as JSON text. */
  event: string;
}

export class AuditOutbox {
  private readonly insert: Database.Statement<[string, string]>;
  private readonly deleteThrough: Database.Statement<[number]>;
  private readonly sequence: Database.Statement<[], { seq: number }>;

  constructor(private readonly store: ObjectStore) {
    const db = store.db;
    this.insert = db.prepare('INSERT INTO audit_outbox (ts, event) VALUES (?, ?)');
    this.deleteThrough = db.prepare('DELETE FROM audit_outbox WHERE seq <= ?');
    this.sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_outbox'");
  }

  /** Appends one event (JSON text) in the turn's transaction; returns its seq. */
  append(ts: string, eventJson: string): number {
    return this.store.inTurn(() => Number(this.insert.run(ts, eventJson).lastInsertRowid));
  }

  /** The highest seq ever handed out (committed), 0 for none; survives deleting every row. */
  lastSeq(): number {
    return this.sequence.get()?.seq ?? 0;
  }

  /**
   * Makes the next seq follow `atLeast`: the sinks may already hold events numbered by an older
   * server (the JSONL chain, the audit table), and a new event must never reuse one of their
   * numbers, or the sink would take it for one it has.
   */
  continueAfter(atLeast: number): void {
    if (this.lastSeq() >= atLeast) return;
    const db = this.store.db;
    db.transaction(() => {
      const changed = db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_outbox'").run(atLeast).changes;
      if (!changed) db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('audit_outbox', ?)").run(atLeast);
    })();
  }

  /** Forgets the rows every sink has taken (in the turn's transaction). */
  forgetThrough(seq: number): void {
    this.store.inTurn(() => this.deleteThrough.run(seq));
  }
}

/** The worker's read side: its own read-only connection to the game database (WAL). */
export class OutboxReader {
  private readonly db: Database.Database;
  private readonly after: Database.Statement<[number, number], OutboxRow>;
  private readonly tsOf: Database.Statement<[number], { ts: string }>;

  constructor(Sqlite: typeof Database, file: string) {
    this.db = new Sqlite(file, { readonly: true, fileMustExist: true });
    this.after = this.db.prepare('SELECT seq, ts, event FROM audit_outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.tsOf = this.db.prepare('SELECT ts FROM audit_outbox WHERE seq = ?');
  }

  /** Up to `limit` rows after `seq`, in order. */
  read(afterSeq: number, limit: number): OutboxRow[] {
    return this.after.all(afterSeq, limit);
  }

  /** When the event `seq` happened, if it is still in the outbox (for lag in seconds). */
  timeOf(seq: number): string | null {
    return this.tsOf.get(seq)?.ts ?? null;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * One event into a game database's outbox from a shell tool (npm run audit-prune), on a
 * connection of its own: SQLite serialises it with the server's turns (it waits for a turn's
 * COMMIT, up to `busyMs`), so its seq follows everything the server numbered. A running server's
 * worker delivers it with the next events; a stopped one's at its next start. False when there
 * is no game database (the server never ran here).
 */
export function appendFromShell(Sqlite: typeof Database, gameDbFile: string, ts: string, eventJson: string, busyMs = 10_000): boolean {
  let db: Database.Database;
  try {
    db = new Sqlite(gameDbFile, { fileMustExist: true, timeout: busyMs });
  } catch {
    return false;
  }
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_outbox'").get();
    if (!has) return false;
    db.prepare('INSERT INTO audit_outbox (ts, event) VALUES (?, ?)').run(ts, eventJson);
    return true;
  } finally {
    db.close();
  }
}
