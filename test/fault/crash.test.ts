/**
 * kill -9 of the server process while several clients play, then a restart on the same data dir:
 * the database is intact, every account and character is there, and every command the server
 * acknowledged before the kill has its effect persisted.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { trackServerProcesses } from '../support/cleanup.ts';
import { PASSWORD } from '../support/game.ts';
import { serverEnv } from '../support/server_process.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { until } from '../support/wait.ts';

const CLIENTS = 4;
/** Acknowledged moves each client has before the kill. */
const MIN_ACKED = 15;

describe('kill -9 under load', () => {
  const started = trackServerProcesses();
  const { walkers } = started;

  it('loses no acknowledged command and recovers cleanly on restart', { timeout: 60_000 }, async () => {
    const dir = started.tempDir('mud-crash-');
    const env = serverEnv(dir, { MUD_WEB: 'off' });
    const server = await started.spawnServer(env);
    const names = Array.from({ length: CLIENTS }, (_, i) => `Crash${i}`);
    for (const name of names) await started.login(server.telnetPort, name);

    // Everyone plays flat out; once each has enough acknowledged moves, the server is killed
    // while their next commands are in flight.
    let stop = false;
    const playing = walkers.map((w) => w.play(() => stop));
    expect(await until(() => walkers.every((w) => w.ackedMoves >= MIN_ACKED), 30_000)).toBe(true);
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe(null); // killed by the signal
    stop = true;
    await Promise.all(playing);
    const acked = new Map(walkers.map((w) => [w.name, { acked: w.acked, sent: w.sent, room: w.room, pending: w.pending }]));
    for (const w of walkers.splice(0)) w.close();

    // Restart on the same data dir: it notices the unclean stop and every player gets back in,
    // in the room of their last acknowledged move (or of the move in flight, if it committed).
    const again = await started.spawnServer(env);
    const serverLog = () => fs.readFileSync(path.join(dir, 'logs', 'server.log'), 'utf8');
    // The server log is written asynchronously (one batch per event-loop turn): poll for it.
    await expect.poll(serverLog, { timeout: 10_000 }).toContain('did not shut down cleanly');
    for (const name of names) {
      const { room, pending } = acked.get(name)!;
      const client = await TestTelnetClient.connect(again.telnetPort);
      await client.waitFor('Welcome to');
      client.send(`connect ${name} ${PASSWORD}`);
      const text = await client.waitFor(/You become \w+\.\n+[^\n]+\n/, 15_000);
      const roomNow = /You become \w+\.\n+([^\n]+)\n/.exec(text)![1]!.trim();
      expect([room, pending]).toContain(roomNow);
      client.close();
    }
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);

    const db = new Database(path.join(dir, 'data', 'game.sqlite3'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const accounts = db.prepare<[], { id: number; name: string }>('SELECT id, name FROM accounts').all();
      expect(accounts.map((a) => a.name).sort()).toEqual([...names].sort());
      for (const account of accounts) {
        const { acked: ackedCommands, sent, room, pending } = acked.get(account.name)!;
        const characters = db
          .prepare<[number], { id: number; key: string; location: string | null; inWorld: number | null }>(
            // Stopped, every character is offline: no location, and the room it comes back to.
            'SELECT o.id, o.key, l.key AS location, o.location_id AS inWorld FROM objects o ' +
              "LEFT JOIN attributes a ON a.object_id = o.id AND a.key = 'prelogout_location' " +
              'LEFT JOIN objects l ON l.id = CAST(a.value AS INTEGER) WHERE o.account_id = ?',
          )
          .all(account.id);
        expect(characters, account.name).toHaveLength(1);
        const character = characters[0]!;
        expect(character.key).toBe(account.name);
        expect(character.inWorld).toBeNull();
        expect([room, pending]).toContain(character.location);
        const attr = (key: string) =>
          JSON.parse(db.prepare<[number, string], { value: string }>('SELECT value FROM attributes WHERE object_id = ? AND key = ?').get(character.id, key)?.value ?? 'null');
        // Every acknowledged command was counted and every acknowledged move recorded; at most
        // the one in flight at the kill may have committed without its reply getting out.
        const count = attr('command_count') as number;
        expect(count, `${account.name} command_count`).toBeGreaterThanOrEqual(ackedCommands);
        expect(count, `${account.name} command_count`).toBeLessThanOrEqual(sent);
        const history = db
          .prepare<[number], { value: string }>("SELECT value FROM attribute_lists WHERE object_id = ? AND key = 'location_history' ORDER BY seq")
          .all(character.id)
          .map((row) => JSON.parse(row.value) as { to: string });
        expect(history.length).toBeGreaterThanOrEqual(ackedCommands);
        expect(history.length).toBeLessThanOrEqual(sent);
        expect(history.at(-1)!.to).toBe(character.location);
      }
    } finally {
      db.close();
    }
  });
});
