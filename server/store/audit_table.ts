/**
 * The queryable audit table, in its own database file (`data/audit.sqlite3`, 0600): its six
 * indexes cost the game's commits nothing, because only the audit worker writes it. The game
 * thread opens it read-only for `@audit/search` and the console.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const AUDIT_DB_FILE = 'audit.sqlite3';

/** One row of `audit_events`: an AuditEvent flattened (server/audit/rows.ts maps both ways). */
export interface AuditEventRow {
  id?: number;
  seq: number | null;
  ts: string;
  event_type: string;
  account: string | null;
  character: string | null;
  session_id: number | null;
  protocol: string | null;
  remote_addr: string | null;
  target_kind: string | null;
  target_id: number | null;
  target_name: string | null;
  location: string | null;
  /** The payload as JSON text. */
  payload: string;
  /** 1 or 0. */
  success: number;
}

/** Filters of an audit search; all optional, combined with AND. Names match case-insensitively. */
export interface AuditQuery {
  character?: string;
  account?: string;
  types?: readonly string[];
  remoteAddr?: string;
  /** ISO timestamps: since inclusive, until exclusive. */
  since?: string;
  until?: string;
  /** Substring of the payload, target name or location (ASCII case-insensitive). */
  text?: string;
  target?: string;
  limit: number;
  offset?: number;
}

/** The table as migration 3 of the game database had it; seq is now unique and never null. */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_events (
    id          INTEGER PRIMARY KEY,
    seq         INTEGER,
    ts          TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    account     TEXT COLLATE NOCASE,
    character   TEXT COLLATE NOCASE,
    session_id  INTEGER,
    protocol    TEXT,
    remote_addr TEXT,
    target_kind TEXT,
    target_id   INTEGER,
    target_name TEXT,
    location    TEXT,
    payload     TEXT NOT NULL DEFAULT '{}',
    success     INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_events_ts ON audit_events(ts);
  CREATE INDEX IF NOT EXISTS audit_events_character ON audit_events(character, ts);
  CREATE INDEX IF NOT EXISTS audit_events_account ON audit_events(account, ts);
  CREATE INDEX IF NOT EXISTS audit_events_type ON audit_events(event_type, ts);
  CREATE INDEX IF NOT EXISTS audit_events_addr ON audit_events(remote_addr, ts);
  CREATE INDEX IF NOT EXISTS audit_events_seq ON audit_events(seq);
`;

const COLUMNS = 'seq, ts, event_type, account, character, session_id, protocol, remote_addr, target_kind, target_id, target_name, location, payload, success';

export class AuditTable {
  readonly db: Database.Database;
  private readonly searches = new Map<string, Database.Statement<unknown[], AuditEventRow>>();
  private insertStmt?: Database.Statement;

  /** Opens (and for a writer, creates) the table's file. A reader of a missing file throws ENOENT. */
  constructor(
    readonly file: string,
    readonly mode: 'write' | 'read',
  ) {
    if (mode === 'write') {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      if (!fs.existsSync(file)) fs.writeFileSync(file, '', { mode: 0o600 });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
    } else {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
    }
  }

  static exists(file: string): boolean {
    return fs.existsSync(file) && fs.statSync(file).size > 0;
  }

  /** Inserts rows in one transaction: all or nothing. */
  insert(rows: readonly AuditEventRow[]): void {
    const stmt = (this.insertStmt ??= this.db.prepare(
      `INSERT INTO audit_events (${COLUMNS}) VALUES (@seq, @ts, @event_type, @account, @character, @session_id, @protocol, @remote_addr, @target_kind, @target_id, @target_name, @location, @payload, @success)`,
    ));
    this.db.transaction(() => {
      for (const row of rows) stmt.run(row);
    })();
  }

  /** The highest seq in the table (the table sink's cursor), or null when it has none. */
  /** Rows with no seq: not in the hash chain (adopted from before it, or put there by hand). */
  countWithoutSeq(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE seq IS NULL').get() as { n: number }).n;
  }

  maxSeq(): number | null {
    return (this.db.prepare('SELECT MAX(seq) AS seq FROM audit_events').get() as { seq: number | null }).seq;
  }

  /** The rows of one seq (audit-verify compares them with the JSONL record). */
  rowsOfSeq(seq: number): Array<AuditEventRow & { id: number }> {
    return this.db.prepare<[number], AuditEventRow & { id: number }>('SELECT * FROM audit_events WHERE seq = ? ORDER BY id').all(seq);
  }

  /** How many rows have no seq, and the ids of the first few (audit-verify reports them). */
  rowsWithoutSeq(limit = 5): { count: number; ids: number[] } {
    const count = (this.db.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE seq IS NULL').get() as { n: number }).n;
    const ids = count ? (this.db.prepare('SELECT id FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT ?').all(limit) as Array<{ id: number }>).map((r) => r.id) : [];
    return { count, ids };
  }

  /** Rows with a seq from `first` to `last` (to find rows whose seq the trail does not have). */
  countSeqBetween(first: number, last: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE seq BETWEEN ? AND ?').get(first, last) as { n: number }).n;
  }

  /** Audit rows matching `query`, newest first. */
  search(query: AuditQuery): AuditEventRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (query.character !== undefined) add('character = ?', query.character);
    if (query.account !== undefined) add('account = ?', query.account);
    if (query.types?.length) add(`event_type IN (${query.types.map(() => '?').join(', ')})`, ...query.types);
    if (query.remoteAddr !== undefined) add('remote_addr = ?', query.remoteAddr);
    if (query.since !== undefined) add('ts >= ?', query.since);
    if (query.until !== undefined) add('ts < ?', query.until);
    if (query.target !== undefined) add('target_name = ? COLLATE NOCASE', query.target);
    if (query.text !== undefined) {
      const like = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add("(payload LIKE ? ESCAPE '\\' OR target_name LIKE ? ESCAPE '\\' OR location LIKE ? ESCAPE '\\')", like, like, like);
    }
    const sql = `SELECT * FROM audit_events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, id DESC LIMIT ? OFFSET ?`;
    let stmt = this.searches.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[], AuditEventRow>(sql);
      if (this.searches.size < 256) this.searches.set(sql, stmt);
    }
    return stmt.all(...params, query.limit, query.offset ?? 0);
  }

  /**
   * Deletes rows older than `before` (ISO), `chunk` rows per transaction so a big backlog never
   * holds the write lock for long, at most `maxChunks` chunks. Returns how many rows went.
   */
  prune(before: string, chunk = 5000, maxChunks = Number.POSITIVE_INFINITY): number {
    const stmt = this.db.prepare('DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE ts < ? LIMIT ?)');
    let total = 0;
    for (let i = 0; i < maxChunks; i++) {
      const changes = stmt.run(before, chunk).changes;
      total += changes;
      if (changes < chunk) break;
    }
    return total;
  }

  /**
   * Moves the rows of an older game database's own audit_events table (schema 3-4) into this
   * file, once: the game database is attached, the rows copied, its table dropped. Returns how
   * many rows moved.
   */
  adoptLegacyRows(gameDbFile: string): number {
    this.db.prepare('ATTACH DATABASE ? AS game').run(gameDbFile);
    try {
      const has = this.db.prepare("SELECT 1 FROM game.sqlite_master WHERE type = 'table' AND name = 'audit_events'").get();
      if (!has) return 0;
      let moved = 0;
      this.db.transaction(() => {
        moved = this.db.prepare(`INSERT INTO main.audit_events (${COLUMNS}) SELECT ${COLUMNS} FROM game.audit_events ORDER BY id`).run().changes;
        this.db.exec('DROP TABLE game.audit_events');
      })();
      return moved;
    } finally {
      this.db.exec('DETACH DATABASE game');
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The highest seq in an audit table file, opened read-only (audit-verify's cross-check). */
/**
 * What audit-verify checks the trail against: the table's highest seq (the trail's end must
 * reach it) and how many of its rows have no seq, which no chain vouches for.
 */
export function readAuditChainFacts(file: string): { maxSeq: number | null; withoutSeq: number } {
  if (!AuditTable.exists(file)) return { maxSeq: null, withoutSeq: 0 };
  const table = new AuditTable(file, 'read');
  try {
    return { maxSeq: table.maxSeq(), withoutSeq: table.countWithoutSeq() };
  } finally {
    table.close();
  }
}
