/**
 * The PostgreSQL sink end to end: real game servers (child processes), real telnet players, a
 * real throwaway PostgreSQL pg.cluster. No mocks.
 *
 *  1. Two servers (MUD_SERVER_ID alpha and beta) write one database: after a graceful stop every
 *     acknowledged say is there exactly once under its own server_id, each server's seqs are
 *     gap-free, both chains verify, and each server's rows are its JSONL trail (seq, hash).
 *  2. PostgreSQL stops under load: the game keeps answering, /metrics and server.log say the pg
 *     sink is failing and its backlog grows; PostgreSQL starts again, the sink catches up, and
 *     after a graceful stop nothing is lost or doubled and the chain verifies.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPgChains } from '../../server/audit/pg_verify.ts';
import { trackServerProcesses } from '../support/cleanup.ts';
import { serverEnv, type ServerProcess } from '../support/server_process.ts';
import { sleep } from '../support/wait.ts';
import type { Walker } from '../support/walker.ts';
import { readTrail } from '../audit_trail/helpers.ts';
import { clusterForFile, pgBin } from './helpers.ts';

interface Row {
  seq: number;
  hash: string;
  event_type: string;
  text: string | null;
}

const nonce = () => crypto.randomBytes(4).toString('hex');

/** `name{sink="<sink>"} <value>` from the metrics text (NaN when absent). */
function sample(metrics: string, name: string, sink: string): number {
  const m = new RegExp(`^${name}\\{sink="${sink}"\\} (\\S+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : Number.NaN;
}

/** The web port from the `Web client on http://host:port/` start-up line. */
function webPort(server: ServerProcess): number {
  const m = /Web client on http:\/\/\S+?:(\d+)\//.exec(server.stdout());
  if (!m) throw new Error(`no web port in:\n${server.stdout()}`);
  return Number(m[1]);
}

describe.skipIf(!pgBin)('PostgreSQL audit sink with real game servers', () => {
  const started = trackServerProcesses();
  const pg = clusterForFile();

  const rowsOf = async (url: string, serverId: string): Promise<Row[]> =>
    (
      await pg.cluster.query<Row>(
        url,
        "SELECT seq::int AS seq, hash, event_type, payload->>'text' AS text FROM audit_events WHERE server_id = $1 ORDER BY seq",
        [serverId],
      )
    ).rows;

  /** Gap-free from 1, each acknowledged say once, and the same (seq, hash) as the JSONL trail. */
  const expectComplete = (rows: Row[], says: string[], logDir: string, label: string) => {
    expect(rows.length, `${label}: rows`).toBeGreaterThan(0);
    expect(rows.map((r) => r.seq), `${label}: seqs gap-free from 1`).toEqual(rows.map((_, i) => i + 1));
    const sayCounts = new Map<string, number>();
    for (const r of rows) if (r.event_type === 'say' && r.text !== null) sayCounts.set(r.text, (sayCounts.get(r.text) ?? 0) + 1);
    const wrong = says.filter((s) => sayCounts.get(s) !== 1).map((s) => `${s}: ${sayCounts.get(s) ?? 0}`);
    expect(wrong, `${label}: every acknowledged say exactly once`).toEqual([]);
    const trail = readTrail(logDir).map((r) => ({ seq: r.seq, hash: r.hash }));
    expect(rows.map((r) => ({ seq: r.seq, hash: r.hash })), `${label}: rows equal the JSONL trail`).toEqual(trail);
  };

  const stopGracefully = async (server: ServerProcess) => {
    server.child.kill('SIGTERM');
    expect(await server.exited, server.stderr()).toBe(0);
  };

  it('two servers with their own MUD_SERVER_ID share one database: each say once under its server, both chains intact, rows equal each JSONL trail', { timeout: 60_000 }, async () => {
    const url = await pg.cluster.database();
    const ids = ['alpha', 'beta'] as const;
    const dirs = Object.fromEntries(ids.map((id) => [id, started.tempDir(`mud-pg-${id}-`)])) as Record<(typeof ids)[number], string>;
    const servers = await Promise.all(ids.map((id) => started.spawnServer(serverEnv(dirs[id], { MUD_WEB: 'off', MUD_AUDIT_PG_URL: url, MUD_SERVER_ID: id }))));
    const names = { alpha: ['Ada', 'Abel'], beta: ['Bea', 'Boris'] };
    const says: Record<string, string[]> = { alpha: [], beta: [] };
    await Promise.all(
      ids.flatMap((id, i) =>
        names[id].map(async (name) => {
          const player: Walker = await started.login(servers[i]!.telnetPort, name);
          for (let n = 0; n < 6; n++) {
            const text = `${id}-${name}-${n}-${nonce()}`;
            await player.say(text);
            says[id]!.push(text);
          }
        }),
      ),
    );
    await Promise.all(servers.map(stopGracefully));

    const rows = { alpha: await rowsOf(url, 'alpha'), beta: await rowsOf(url, 'beta') };
    for (const [i, id] of ids.entries()) {
      expectComplete(rows[id], says[id]!, path.join(dirs[id], 'logs'), id);
      // Nothing of the other server's under this server_id.
      const other = ids[1 - i]!;
      expect(rows[id].filter((r) => r.text?.startsWith(`${other}-`))).toEqual([]);
    }
    const chains = await verifyPgChains(url);
    expect(chains.map((c) => [c.serverId, c.intact, c.rows, c.firstSeq, c.lastSeq, c.fromGenesis])).toEqual([
      ['alpha', true, rows.alpha.length, 1, rows.alpha.length, true],
      ['beta', true, rows.beta.length, 1, rows.beta.length, true],
    ]);
  });

  it('PostgreSQL stopped mid-load: the game keeps answering, /metrics and server.log show the pg sink failing, it catches up once PostgreSQL is back, exactly once', { timeout: 60_000 }, async () => {
    const url = await pg.cluster.database();
    const dir = started.tempDir('mud-pg-outage-');
    const logDir = path.join(dir, 'logs');
    const server = await started.spawnServer(serverEnv(dir, { MUD_AUDIT_PG_URL: url, MUD_SERVER_ID: 'solo' }));
    const metricsUrl = `http://127.0.0.1:${webPort(server)}/metrics`;
    const metrics = async () => {
      const res = await fetch(metricsUrl);
      expect(res.status).toBe(200);
      const text = await res.text();
      return {
        depth: sample(text, 'mud_audit_queue_depth', 'pg'),
        failing: sample(text, 'mud_audit_sink_failing', 'pg'),
        lag: sample(text, 'mud_audit_sink_lag_seconds', 'pg'),
        text,
      };
    };
    const serverLog = () => {
      const file = path.join(logDir, 'server.log');
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    };

    // Players in closed loops of says; each says the next only once the last was answered.
    const players = await Promise.all(['Carla', 'Cyrus', 'Delia'].map((name) => started.login(server.telnetPort, name)));
    let stop = false;
    const loops = players.map(async (p) => {
      for (let n = 0; !stop; n++) await p.say(`${p.name}-${n}-${nonce()}`);
    });
    const acked = () => players.reduce((sum, p) => sum + p.ackedSays.length, 0);
    const failed = () => {
      const errors = players.filter((p) => p.error).map((p) => `${p.name}: ${p.error!.message}`);
      if (errors.length) throw new Error(errors.join('\n'));
    };
    // Each loop's rejection (a reply that never came) is kept and reported by `failed`.
    const settled = loops.map((loop, i) => loop.catch((error: Error) => void (players[i]!.error = error)));

    await expect.poll(acked, { timeout: 15_000 }).toBeGreaterThanOrEqual(30);
    // PostgreSQL keeps up: the pg sink holds events and is not failing.
    await expect.poll(async () => sample((await metrics()).text, 'mud_audit_sink_cursor', 'pg'), { timeout: 10_000 }).toBeGreaterThan(0);
    expect((await metrics()).failing).toBe(0);

    await pg.cluster.stop();
    const outageStart = acked();
    // The sink notices on its next write; the game does not wait for it.
    await expect.poll(async () => (await metrics()).failing, { timeout: 10_000, interval: 100 }).toBe(1);
    const first = await metrics();
    await expect.poll(serverLog).toMatch(/Audit sink 'pg' cannot write \(.*\); \d+ event\(s\) wait in the outbox; retrying/);
    // Several seconds of play with PostgreSQL down: replies keep coming, the backlog grows.
    const before = acked();
    await sleep(2000);
    const midway = await metrics();
    await sleep(2000);
    failed();
    const ackedDuring = acked();
    const during = await metrics();
    expect(ackedDuring - before, 'says answered in 4 s with PostgreSQL down').toBeGreaterThan(20);
    expect(during.failing).toBe(1);
    expect(midway.depth).toBeGreaterThan(first.depth);
    expect(during.depth).toBeGreaterThan(midway.depth);
    // Each of those says is an event (at least) waiting for the pg sink.
    expect(during.depth).toBeGreaterThanOrEqual(ackedDuring - outageStart);
    expect(during.lag).toBeGreaterThan(midway.lag);
    expect(during.lag).toBeGreaterThan(3);
    expect(during.text).toMatch(/^mud_audit_last_error_info\{sink="pg",error="[^"]+"\} 1$/m);
    expect(during.text).not.toContain(pg.cluster.password);
    // The other sinks are not held back by it.
    expect(sample(during.text, 'mud_audit_sink_failing', 'jsonl')).toBe(0);
    expect(sample(during.text, 'mud_audit_queue_depth', 'jsonl')).toBeLessThan(during.depth);

    await pg.cluster.start();
    // Still under load, the sink writes again (its retry backoff is at most a few seconds here).
    await expect.poll(async () => (await metrics()).failing, { timeout: 20_000, interval: 200 }).toBe(0);
    stop = true;
    await Promise.all(settled);
    failed();
    const caughtUp = async () => {
      const m = await metrics();
      return [m.depth, m.failing, m.lag];
    };
    await expect.poll(caughtUp, { timeout: 10_000, interval: 100 }).toEqual([0, 0, 0]);
    expect(serverLog()).toMatch(/Audit sink 'pg' writes again after [\d.]+s; catching up from seq \d+/);
    expect(serverLog()).not.toContain(pg.cluster.password);

    await stopGracefully(server);
    const says = players.flatMap((p) => p.ackedSays);
    expectComplete(await rowsOf(url, 'solo'), says, logDir, 'solo');
    const [chain] = await verifyPgChains(url);
    expect(chain).toMatchObject({ serverId: 'solo', intact: true, firstSeq: 1, fromGenesis: true, notes: [] });
  });
});
