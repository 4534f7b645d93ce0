import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockoutStore, ObjectStore, SCHEMA_VERSION } from '../../server/store/index.ts';
import { tempDir } from '../support/temp_dir.ts';

describe('the object store', () => {
  it('moves a location history kept as one JSON attribute into list rows (schema 4)', () => {
    const file = path.join(tempDir(), 'game.sqlite3');
    let store = new ObjectStore(file);
    const obj = store.insertObject({ key: 'Old', aliases: [], typeclass: 'typeclasses/character.Character', locationId: null, destinationId: null, homeId: null, accountId: null });
    const history = [{ from: 'Limbo', to: 'Courtyard', timestamp: '2026-01-01T00:00:00.000Z' }, { from: 'Courtyard', to: 'Library', timestamp: '2026-01-01T00:01:00.000Z' }];
    // As a schema-3 database held it.
    store.db.exec('DROP TABLE attribute_lists');
    store.db.exec('ALTER TABLE accounts DROP COLUMN password_reset_by; ALTER TABLE accounts DROP COLUMN password_reset_at');
    store.setAttribute(obj.id, 'location_history', JSON.stringify(history));
    store.setAttribute(obj.id, 'command_count', '7');
    store.db.pragma('user_version = 3');
    store.close();

    store = new ObjectStore(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.listItems(obj.id, 'location_history').map((r) => JSON.parse(r.value))).toEqual(history);
    expect(store.listItems(obj.id, 'location_history').map((r) => r.seq)).toEqual([1, 2]);
    expect([...(store.loadAttributes().get(obj.id)?.keys() ?? [])]).toEqual(['command_count']);
    store.close();
  });

  it('creates its directory 0700 and the database file 0600', () => {
    const dir = path.join(tempDir(), 'data');
    const store = new ObjectStore(path.join(dir, 'game.sqlite3'));
    store.setState('x', 'y');
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of fs.readdirSync(dir)) expect([name, fs.statSync(path.join(dir, name)).mode & 0o777]).toEqual([name, 0o600]);
    store.close();
  });

  it('never hands out an object id twice, even after the newest object is destroyed', () => {
    const file = path.join(tempDir(), 'game.sqlite3');
    const fields = { aliases: [], typeclass: 'typeclasses/object.DefaultObject', locationId: null, destinationId: null, homeId: null, accountId: null };
    let store = new ObjectStore(file);
    const first = store.insertObject({ ...fields, key: 'first' });
    const newest = store.insertObject({ ...fields, key: 'newest' });
    store.deleteObject(newest.id);
    store.close();
    store = new ObjectStore(file);
    const next = store.insertObject({ ...fields, key: 'next' });
    expect(next.id).toBeGreaterThan(newest.id);
    expect(first.id).toBeLessThan(newest.id);
    store.close();
  });

  it('refuses a database from a newer server, saying what to do', () => {
    const file = path.join(tempDir(), 'game.sqlite3');
    const store = new ObjectStore(file);
    store.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    store.close();
    expect(() => new ObjectStore(file)).toThrow(`Database schema version ${SCHEMA_VERSION + 1} is newer than this server understands (${SCHEMA_VERSION}); upgrade the server or restore a matching backup.`);
  });

  it('keeps only the login lock-outs in force: a new one clears the served ones', () => {
    const store = new ObjectStore(path.join(tempDir(), 'game.sqlite3'));
    const lockouts = new LockoutStore(store.db);
    lockouts.save('name:anna', 1_000, 0);
    lockouts.save('addr:192.0.2.1', 5_000, 0);
    lockouts.save('name:bob', 9_000, 2_000); // anna's has run out by now
    expect(store.db.prepare('SELECT key FROM login_lockouts ORDER BY key').all()).toEqual([{ key: 'addr:192.0.2.1' }, { key: 'name:bob' }]);
    expect(lockouts.load(6_000)).toEqual([['name:bob', 9_000]]);
    store.close();
  });
});
