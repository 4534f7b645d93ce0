/**
 * A data dir from before the outbox: the audit table lived in game.sqlite3. At the first start
 * its rows move to data/audit.sqlite3, and new events are numbered after them, so no seq means
 * two events.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEvent } from '../../server/audit/events.ts';
import { eventToRow } from '../../server/audit/rows.ts';
import { AUDIT_DB_FILE } from '../../server/store/audit_table.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { tempDir } from '../support/temp_dir.ts';
import { auditConfig, readTableFile } from './helpers.ts';

const LEGACY_TABLE = `CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY, seq INTEGER, ts TEXT NOT NULL, event_type TEXT NOT NULL, account TEXT COLLATE NOCASE,
  character TEXT COLLATE NOCASE, session_id INTEGER, protocol TEXT, remote_addr TEXT, target_kind TEXT,
  target_id INTEGER, target_name TEXT, location TEXT, payload TEXT NOT NULL DEFAULT '{}', success INTEGER NOT NULL)`;

describe('upgrading a data dir whose audit table is in the game database', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('moves its rows to data/audit.sqlite3 and numbers new events after them', async () => {
    const dir = tempDir();
    // The JSONL trail off, so only the old table tells which numbers are taken.
    const config = { audit: auditConfig({ jsonl: false }) };
    run = await startGame({ dir, config });
    await run.stop();
    const gameDb = path.join(run.config.dataDir, 'game.sqlite3');
    fs.rmSync(path.join(run.config.dataDir, AUDIT_DB_FILE));
    fs.rmSync(path.join(run.config.logDir, '.text_logs.cursor'), { force: true });
    const db = new Database(gameDb);
    db.exec(LEGACY_TABLE);
    db.exec("DELETE FROM sqlite_sequence WHERE name = 'audit_outbox'");
    const insert = db.prepare('INSERT INTO audit_events (seq, ts, event_type, account, character, session_id, protocol, remote_addr, target_kind, target_id, target_name, location, payload, success) VALUES (@seq, @ts, @event_type, @account, @character, @session_id, @protocol, @remote_addr, @target_kind, @target_id, @target_name, @location, @payload, @success)');
    const actor = { account: 'old', character: 'Oldie', session_id: null, protocol: null, remote_addr: null };
    for (let seq = 1; seq <= 500; seq++) insert.run(eventToRow(auditEvent('command', actor, { payload: { command: 'legacy', seq } }), seq));
    db.close();

    run = await startGame({ dir, config });
    const player = await run.login('Newcomer');
    await player.command('say hello', 'You say, "hello"');
    await run.stop();

    const table = readTableFile(run.config.dataDir);
    expect(table.filter((e) => e.payload.command === 'legacy').map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    const fresh = table.filter((e) => e.payload.command !== 'legacy');
    expect(fresh.length).toBeGreaterThan(3);
    expect(fresh.every((e) => (e.seq ?? 0) > 500)).toBe(true);
    expect(new Set(table.map((e) => e.seq)).size).toBe(table.length);
    const left = new Database(gameDb, { readonly: true });
    expect(left.prepare("SELECT name FROM sqlite_master WHERE name = 'audit_events'").get()).toBeUndefined();
    left.close();
  });
});
