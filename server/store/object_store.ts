import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './schema.ts';
import { UnitOfWork } from './unit_of_work.ts';

/** One persisted object row, as the typeclasses see it. */
export interface ObjectRecord {
  id: number;
  key: string;
  aliases: string[];
  typeclass: string;
  locationId: number | null;
  destinationId: number | null;
  homeId: number | null;
  accountId: number | null;
  createdAt: string;
}

export interface AccountRecord {
  id: number;
  name: string;
  passwordHash: string;
  permissions: string[];
  createdAt: string;
  lastLogin: string | null;
  lastLoginAddr: string | null;
  lastProtocol: string | null;
  failedLogins: number;
  /** The admin who last reset this password, and when; cleared at the owner's next login. */
  passwordResetBy: string | null;
  passwordResetAt: string | null;
}

const LAST_OBJECT_ID = 'objects.last_id';

export type NewObject = Omit<ObjectRecord, 'id' | 'createdAt'>;

interface ObjectRow {
  id: number;
  key: string;
  aliases: string;
  typeclass: string;
  location_id: number | null;
  destination_id: number | null;
  home_id: number | null;
  account_id: number | null;
  created_at: string;
}

interface AccountRow {
  id: number;
  name: string;
  password_hash: string;
  permissions: string;
  created_at: string;
  last_login: string | null;
  last_login_addr: string | null;
  last_protocol: string | null;
  failed_logins: number;
  password_reset_by: string | null;
  password_reset_at: string | null;
}

const toObject = (row: ObjectRow): ObjectRecord => ({
  id: row.id,
  key: row.key,
  aliases: JSON.parse(row.aliases) as string[],
  typeclass: row.typeclass,
  locationId: row.location_id,
  destinationId: row.destination_id,
  homeId: row.home_id,
  accountId: row.account_id,
  createdAt: row.created_at,
});

const toAccount = (row: AccountRow): AccountRecord => ({
  id: row.id,
  name: row.name,
  passwordHash: row.password_hash,
  permissions: JSON.parse(row.permissions) as string[],
  createdAt: row.created_at,
  lastLogin: row.last_login,
  lastLoginAddr: row.last_login_addr,
  lastProtocol: row.last_protocol,
  failedLogins: row.failed_logins,
  passwordResetBy: row.password_reset_by,
  passwordResetAt: row.password_reset_at,
});

/**
 * The SQL of objects, attributes, accounts and server state. Statements are prepared once; every
 * write is synchronous, so a change is in the WAL before the call returns. Callers group the
 * writes of one command with `unitOfWork` (the store's UnitOfWork, unit_of_work.ts) so that a
 * command costs one commit, not one per attribute.
 */
export class ObjectStore {
  readonly db: Database.Database;
  /** Savepoints, the turn's group commit, undo, the after-commit queue (unit_of_work.ts). */
  readonly units: UnitOfWork;
  private readonly stmt;
  /** The highest object id handed out (read lazily; see insertObject). */
  private lastObjectId: number | null = null;

  constructor(
    readonly file: string,
    /** Told of a failed COMMIT or of a failure sending what a turn said; the game goes on. */
    onTrouble: (error: unknown) => void = (error) => console.error('[store]', error),
  ) {
    if (file !== ':memory:') {
      // The database holds password hashes and the audit table (what players typed): private,
      // like the logs. SQLite gives its -wal and -shm files the mode of the database file.
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      if (!fs.existsSync(file)) fs.writeFileSync(file, '', { mode: 0o600 });
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a crash of this process (kill -9); only a power loss can take
    // the last commits, which is the usual trade for a game server.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.units = new UnitOfWork(this.db, onTrouble);
    const db = this.db;
    this.stmt = {
      allObjects: db.prepare<[], ObjectRow>('SELECT * FROM objects ORDER BY id'),
      allAttributes: db.prepare<[], { object_id: number; key: string; value: string }>(
        'SELECT object_id, key, value FROM attributes',
      ),
      insertObject: db.prepare(
        `INSERT INTO objects (id, key, aliases, typeclass, location_id, destination_id, home_id, account_id, created_at)
         VALUES (@id, @key, @aliases, @typeclass, @locationId, @destinationId, @homeId, @accountId, @createdAt)`,
      ),
      updateObject: db.prepare(
        `UPDATE objects SET key = @key, aliases = @aliases, typeclass = @typeclass, location_id = @locationId,
         destination_id = @destinationId, home_id = @homeId, account_id = @accountId WHERE id = @id`,
      ),
      deleteObject: db.prepare('DELETE FROM objects WHERE id = ?'),
      maxObjectId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM objects'),
      setAttribute: db.prepare(
        'INSERT INTO attributes (object_id, key, value) VALUES (?, ?, ?) ON CONFLICT(object_id, key) DO UPDATE SET value = excluded.value',
      ),
      deleteAttribute: db.prepare('DELETE FROM attributes WHERE object_id = ? AND key = ?'),
      listItems: db.prepare<[number, string], { seq: number; value: string }>(
        'SELECT seq, value FROM attribute_lists WHERE object_id = ? AND key = ? ORDER BY seq',
      ),
      appendListItem: db.prepare('INSERT INTO attribute_lists (object_id, key, seq, value) VALUES (?, ?, ?, ?)'),
      trimList: db.prepare('DELETE FROM attribute_lists WHERE object_id = ? AND key = ? AND seq <= ?'),
      listKeys: db.prepare<[number], { key: string }>('SELECT DISTINCT key FROM attribute_lists WHERE object_id = ?'),
      insertAccount: db.prepare(
        'INSERT INTO accounts (name, name_lower, password_hash, permissions, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      accountByName: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE name_lower = ?'),
      accountById: db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
      allAccounts: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY id'),
      countAccounts: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM accounts'),
      setPassword: db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?'),
      setPasswordReset: db.prepare('UPDATE accounts SET password_reset_by = ?, password_reset_at = ? WHERE id = ?'),
      setPermissions: db.prepare('UPDATE accounts SET permissions = ? WHERE id = ?'),
      recordLogin: db.prepare(
        'UPDATE accounts SET last_login = ?, last_login_addr = ?, last_protocol = ?, failed_logins = 0, password_reset_by = NULL, password_reset_at = NULL WHERE id = ?',
      ),
      countFailedLogin: db.prepare('UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = ?'),
      getState: db.prepare<[string], { value: string }>('SELECT value FROM server_state WHERE key = ?'),
      setState: db.prepare(
        'INSERT INTO server_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      deleteState: db.prepare('DELETE FROM server_state WHERE key = ?'),
    };
  }

  // ---- the unit of work (unit_of_work.ts), handed through: every stage already holds the store

  unitOfWork<T>(work: () => T): T {
    return this.units.unitOfWork(work);
  }

  onRollback(undo: () => void): void {
    this.units.onRollback(undo);
  }

  whenUnitSucceeds(action: () => void): void {
    this.units.whenUnitSucceeds(action);
  }

  get inUnitOfWork(): boolean {
    return this.units.inUnitOfWork;
  }

  inTurn<T>(write: () => T): T {
    return this.units.inTurn(write);
  }

  afterCommit(action: () => void): void {
    this.units.afterCommit(action);
  }

  commitTurn(): void {
    this.units.commitTurn();
  }

  /** Told after each turn's COMMIT succeeded, before what the turn said is sent. */
  get onTurnCommitted(): (() => void) | null {
    return this.units.onTurnCommitted;
  }

  set onTurnCommitted(listener: (() => void) | null) {
    this.units.onTurnCommitted = listener;
  }

  // ---- objects, attributes, accounts, server state

  loadObjects(): ObjectRecord[] {
    return this.stmt.allObjects.all().map(toObject);
  }

  /** Every attribute, grouped by object id, as raw JSON text (parsed lazily by the owner). */
  loadAttributes(): Map<number, Map<string, string>> {
    const byObject = new Map<number, Map<string, string>>();
    for (const row of this.stmt.allAttributes.iterate()) {
      let attrs = byObject.get(row.object_id);
      if (!attrs) byObject.set(row.object_id, (attrs = new Map()));
      attrs.set(row.key, row.value);
    }
    return byObject;
  }

  /**
   * Ids are never reused, even after the newest object is destroyed: the audit trail names
   * objects by id, and "#22" must mean one object forever. The highest id handed out is kept in
   * server_state (SQLite's plain rowid would hand the freed one out again).
   */
  insertObject(fields: NewObject): ObjectRecord {
    const createdAt = new Date().toISOString();
    this.lastObjectId ??= Math.max(Number(this.getState(LAST_OBJECT_ID) ?? 0), this.stmt.maxObjectId.get()?.id ?? 0);
    const id = ++this.lastObjectId;
    this.stmt.insertObject.run({ ...fields, id, aliases: JSON.stringify(fields.aliases), createdAt });
    this.setState(LAST_OBJECT_ID, String(id));
    return { ...fields, id, createdAt };
  }

  updateObject(record: ObjectRecord): void {
    this.stmt.updateObject.run({ ...record, aliases: JSON.stringify(record.aliases) });
  }

  deleteObject(id: number): void {
    this.stmt.deleteObject.run(id);
  }

  setAttribute(objectId: number, key: string, json: string): void {
    this.stmt.setAttribute.run(objectId, key, json);
  }

  deleteAttribute(objectId: number, key: string): void {
    this.stmt.deleteAttribute.run(objectId, key);
  }

  /** A list attribute's items, oldest first, as raw JSON with their sequence numbers. */
  listItems(objectId: number, key: string): Array<{ seq: number; value: string }> {
    return this.stmt.listItems.all(objectId, key);
  }

  /** Appends one item and drops those at or below `dropUpToSeq` (the cap), in two statements. */
  appendListItem(objectId: number, key: string, seq: number, json: string, dropUpToSeq: number): void {
    this.stmt.appendListItem.run(objectId, key, seq, json);
    if (dropUpToSeq > 0) this.stmt.trimList.run(objectId, key, dropUpToSeq);
  }

  listKeys(objectId: number): string[] {
    return this.stmt.listKeys.all(objectId).map((row) => row.key);
  }

  insertAccount(name: string, passwordHash: string, permissions: string[]): AccountRecord {
    const createdAt = new Date().toISOString();
    const info = this.stmt.insertAccount.run(name, name.toLowerCase(), passwordHash, JSON.stringify(permissions), createdAt);
    return this.accountById(Number(info.lastInsertRowid))!;
  }

  accountByName(name: string): AccountRecord | null {
    const row = this.stmt.accountByName.get(name.toLowerCase());
    return row ? toAccount(row) : null;
  }

  accountById(id: number): AccountRecord | null {
    const row = this.stmt.accountById.get(id);
    return row ? toAccount(row) : null;
  }

  allAccounts(): AccountRecord[] {
    return this.stmt.allAccounts.all().map(toAccount);
  }

  countAccounts(): number {
    return this.stmt.countAccounts.get()!.n;
  }

  setPassword(accountId: number, passwordHash: string): void {
    this.stmt.setPassword.run(passwordHash, accountId);
  }

  /** Who reset the password (null: the owner changed it, no notice due) and when. */
  setPasswordReset(accountId: number, by: string | null, at: string | null): void {
    this.stmt.setPasswordReset.run(by, at, accountId);
  }

  setPermissions(accountId: number, permissions: string[]): void {
    this.stmt.setPermissions.run(JSON.stringify(permissions), accountId);
  }

  recordLogin(accountId: number, at: string, address: string, protocol: string): void {
    this.stmt.recordLogin.run(at, address, protocol, accountId);
  }

  countFailedLogin(accountId: number): void {
    this.stmt.countFailedLogin.run(accountId);
  }

  getState(key: string): string | null {
    return this.stmt.getState.get(key)?.value ?? null;
  }

  setState(key: string, value: string): void {
    this.stmt.setState.run(key, value);
  }

  deleteState(key: string): void {
    this.stmt.deleteState.run(key);
  }

  close(): void {
    if (!this.db.open) return;
    this.commitTurn();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
