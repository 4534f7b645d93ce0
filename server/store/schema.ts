import type Database from 'better-sqlite3';

/**
 * Schema migrations, keyed on SQLite's `PRAGMA user_version`. Each entry moves the schema from
 * version N to N+1; append only — never edit a migration that has shipped.
 */
const MIGRATIONS: readonly string[] = [
  // 1: the persisted world and its accounts.
  `
  CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    name_lower      TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    permissions     TEXT NOT NULL DEFAULT '[]',
    created_at      TEXT NOT NULL,
    last_login      TEXT,
    last_login_addr TEXT,
    last_protocol   TEXT
  );
  CREATE TABLE objects (
    id             INTEGER PRIMARY KEY,
    key            TEXT NOT NULL,
    aliases        TEXT NOT NULL DEFAULT '[]',
    typeclass      TEXT NOT NULL,
    location_id    INTEGER REFERENCES objects(id) ON DELETE SET NULL,
    destination_id INTEGER REFERENCES objects(id) ON DELETE SET NULL,
    home_id        INTEGER REFERENCES objects(id) ON DELETE SET NULL,
    account_id     INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL
  );
  CREATE INDEX objects_location ON objects(location_id);
  CREATE INDEX objects_account ON objects(account_id);
  CREATE TABLE attributes (
    object_id INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (object_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE server_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: failed logins since the last good one, told to the player at their next login.
  `
  ALTER TABLE accounts ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: the audit trail's table (server/audit/table_writer.ts; docs/audit-events.md). One row per
  // AuditEvent; seq is the event's place in the JSONL hash chain (NULL if it is not in it).
  `
  CREATE TABLE audit_events (
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
  CREATE INDEX audit_events_ts ON audit_events(ts);
  CREATE INDEX audit_events_character ON audit_events(character, ts);
  CREATE INDEX audit_events_account ON audit_events(account, ts);
  CREATE INDEX audit_events_type ON audit_events(event_type, ts);
  CREATE INDEX audit_events_addr ON audit_events(remote_addr, ts);
  CREATE INDEX audit_events_seq ON audit_events(seq);
  `,
  // 4: list attributes (a character's location history), one row per item, so appending to a
  // long list writes one row instead of re-serialising the whole list. Histories stored as a
  // plain JSON attribute before this move into rows.
  `
  CREATE TABLE attribute_lists (
    object_id INTEGER NOT NULL REFERENCES objects(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (object_id, key, seq)
  ) WITHOUT ROWID;
  INSERT INTO attribute_lists (object_id, key, seq, value)
    SELECT a.object_id, a.key, CAST(j.key AS INTEGER) + 1, j.value
    FROM attributes a, json_each(a.value) j
    WHERE a.key = 'location_history' AND json_type(a.value) = 'array';
  DELETE FROM attributes WHERE key = 'location_history' AND json_type(value) = 'array';
  `,
  // 5: the audit outbox (server/store/audit_outbox.ts). Every audit event is inserted here in the
  // same transaction as the command's changes, numbered gap-free by AUTOINCREMENT (which never
  // hands out a number again, even after the rows are deleted); the audit worker reads it in seq
  // order and the rows every sink has taken are deleted. The queryable table moves to its own
  // file, data/audit.sqlite3 (server/store/audit_table.ts), which adopts this database's rows.
  `
  CREATE TABLE IF NOT EXISTS audit_outbox (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    ts    TEXT NOT NULL,
    event TEXT NOT NULL
  );
  `,
  // 6: an admin reset this account's password (@password): who and when, told to the owner at
  // their next login (then cleared), so a reset they did not ask for is noticed.
  `
  ALTER TABLE accounts ADD COLUMN password_reset_by TEXT;
  ALTER TABLE accounts ADD COLUMN password_reset_at TEXT;
  `,
  // 7: staff tools (server/store/staff_store.ts): bans of names and addresses (an address or a
  // CIDR range), mutes of accounts, and players' reports with the audit events kept as evidence.
  // An expiry is an ISO timestamp, NULL for never.
  `
  CREATE TABLE IF NOT EXISTS bans (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('name', 'address')),
    pattern    TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    banned_by  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    UNIQUE (kind, pattern)
  );
  CREATE TABLE IF NOT EXISTS mutes (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    reason     TEXT NOT NULL DEFAULT '',
    muted_by   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT
  );
  CREATE TABLE IF NOT EXISTS reports (
    id          INTEGER PRIMARY KEY,
    reporter    TEXT NOT NULL,
    reporter_id INTEGER,
    named       TEXT,
    text        TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    closed_at   TEXT,
    closed_by   TEXT,
    note        TEXT
  );
  `,
  // 8: channels (server/channels/): each with its locks (who may listen, who may talk) and its
  // last lines (keep_lines of them), so someone who joins or logs in later catches up. Every
  // character is on `public` unless they leave it (their `channels` attribute).
  `
  CREATE TABLE IF NOT EXISTS channels (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL,
    key_lower   TEXT NOT NULL UNIQUE,
    aliases     TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    listen_lock TEXT NOT NULL DEFAULT 'all()',
    send_lock   TEXT NOT NULL DEFAULT 'all()',
    keep_lines  INTEGER NOT NULL DEFAULT 20,
    created_at  TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS channel_lines (
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    ts         TEXT NOT NULL,
    speaker    TEXT NOT NULL,
    speaker_id INTEGER,
    text       TEXT NOT NULL,
    PRIMARY KEY (channel_id, seq)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO channels (key, key_lower, aliases, description, created_at)
    VALUES ('public', 'public', '["pub"]', 'Everyone, everywhere.', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  `,
  // 9: login lock-outs in force (server/sessions/login_guard.ts), so a restart does not lift
  // them: what is locked ('name:<name>' or 'addr:<address, IPv6 by /64>') and until when (ms
  // since the epoch). Only @unlock or the time running out lifts one.
  `
  CREATE TABLE IF NOT EXISTS login_lockouts (
    key   TEXT PRIMARY KEY,
    until INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // 10: the web console's logins (server/console/sessions.ts), so a reload (a new game process)
  // or a restart does not log every operator out. Only the SHA-256 of the cookie is kept: this
  // table gives nobody a usable cookie. Times in ms since the epoch; last_seen is written at
  // most once a minute, so a session may end up to that much early, never late.
  `
  CREATE TABLE IF NOT EXISTS console_sessions (
    cookie_hash      TEXT PRIMARY KEY,
    account_id       INTEGER NOT NULL,
    account_name     TEXT NOT NULL,
    address          TEXT NOT NULL,
    password_changes INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    last_seen        INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to SCHEMA_VERSION, one transaction per migration. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `Database schema version ${current} is newer than this server understands (${SCHEMA_VERSION}); ` +
        'upgrade the server or restore a matching backup.',
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
