import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../server/audit/canonical.ts';
import { verifyPgChains } from '../../server/audit/pg_verify.ts';
import { postgresSink, type PostgresSink } from '../../server/audit/sinks/postgres.ts';
import { jsonlChain, leaks, makeEvents, clusterForFile, pgBin, recordingReport } from './helpers.ts';

describe.skipIf(!pgBin)('PostgreSQL audit sink', () => {
  const pg = clusterForFile();
  const sinks: PostgresSink[] = [];
  // Before the cluster goes (the helper's afterAll, registered first, runs last).
  afterAll(async () => {
    await Promise.all(sinks.map((s) => s.close()));
  }, 90_000);

  const sink = (url: string, serverId: string, extra: Partial<Parameters<typeof postgresSink>[0]> = {}) => {
    const s = postgresSink({ url, serverId, report: recordingReport(), ...extra });
    sinks.push(s);
    return s;
  };
  const rowsOf = async (url: string, serverId: string) =>
    (await pg.cluster.query<{ seq: number; hash: string; prev_hash: string; raw: string | null }>(url, 'SELECT seq::int AS seq, hash, prev_hash, raw FROM audit_events WHERE server_id = $1 ORDER BY seq', [serverId])).rows;

  it('creates the schema, and a replay after a reopen never duplicates: 1..100 then 50..150 gives 150 rows, cursor 150', async () => {
    const url = await pg.cluster.database();
    const a = sink(url, 'alpha', { batchRows: 7 });
    expect(await a.open()).toBe(0);
    await a.write(makeEvents(1, 100));
    await a.close();

    const b = sink(url, 'alpha', { batchRows: 7 });
    expect(await b.open()).toBe(100);
    await b.write(makeEvents(50, 150));
    expect(await b.open()).toBe(150);
    const rows = await rowsOf(url, 'alpha');
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    // A replay of what is there already is a no-op, also from a fresh sink.
    const c = sink(url, 'alpha');
    expect(await c.open()).toBe(150);
    await c.write(makeEvents(1, 150));
    expect((await rowsOf(url, 'alpha')).length).toBe(150);
    const version = await pg.cluster.query<{ version: number }>(url, 'SELECT version FROM audit_schema_version');
    expect(version.rows).toEqual([{ version: 1 }]);
    const [result] = await verifyPgChains(url);
    expect(result).toMatchObject({ serverId: 'alpha', intact: true, rows: 150, firstSeq: 1, lastSeq: 150, fromGenesis: true });
  });

  it('stores the same hash and prev_hash as the JSONL chain for the same seq, also when seeded mid-trail', async () => {
    const url = await pg.cluster.database();
    const events = makeEvents(1, 60);
    const jsonl = await jsonlChain(events);
    const s = sink(url, 'one', { batchRows: 16 });
    await s.open();
    await s.write(events.slice(0, 25));
    await s.write(events.slice(25));
    const rows = await rowsOf(url, 'one');
    expect(rows.length).toBe(60);
    for (const r of rows) expect({ seq: r.seq, hash: r.hash, prev: r.prev_hash, raw: r.raw }).toEqual({ seq: r.seq, ...jsonl.get(r.seq), raw: null });
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);

    // PostgreSQL added to a server whose trail is at seq 40: the worker seeds the chain with
    // the trail's hash of seq 40, and the rows from 41 carry the trail's own hashes.
    const asked: number[] = [];
    const late = sink(url, 'late', {
      seedPrevHash: (first) => {
        asked.push(first);
        return jsonl.get(first - 1)!.hash;
      },
    });
    expect(await late.open()).toBe(0);
    await late.write(events.slice(40));
    expect(asked).toEqual([41]);
    for (const r of await rowsOf(url, 'late')) expect([r.hash, r.prev_hash]).toEqual([jsonl.get(r.seq)!.hash, jsonl.get(r.seq)!.prev]);
    const late2 = sink(url, 'late2', { seedPrevHash: jsonl.get(40)!.hash });
    await late2.open();
    await late2.write(events.slice(40));
    expect((await rowsOf(url, 'late2')).map((r) => r.hash)).toEqual(events.slice(40).map((e) => jsonl.get(e.seq)!.hash));
    const byServer = Object.fromEntries((await verifyPgChains(url)).map((r) => [r.serverId, r]));
    expect(byServer.late).toMatchObject({ intact: true, fromGenesis: false, firstSeq: 41, lastSeq: 60 });
    expect(byServer.late!.notes.join()).toMatch(/starts mid-way at seq 41/);
  });

  it('keeps two server_ids in one database apart: own cursors, own chains', async () => {
    const url = await pg.cluster.database();
    const a = sink(url, 'game-a');
    const b = sink(url, 'game-b');
    expect([await a.open(), await b.open()]).toEqual([0, 0]);
    await a.write(makeEvents(1, 40));
    await b.write(makeEvents(1, 25, (seq) => ({ location: `B room ${seq}` })));
    await a.write(makeEvents(41, 45));
    expect([await a.open(), await b.open()]).toEqual([45, 25]);
    const ra = await rowsOf(url, 'game-a');
    const rb = await rowsOf(url, 'game-b');
    expect([ra.length, rb.length]).toEqual([45, 25]);
    expect(rb[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rb[1]!.prev_hash).toBe(rb[0]!.hash);
    expect(rb[0]!.hash).not.toBe(ra[0]!.hash);
    const results = await verifyPgChains(url);
    expect(results.map((r) => [r.serverId, r.intact, r.rows, r.lastSeq])).toEqual([
      ['game-a', true, 45, 45],
      ['game-b', true, 25, 25],
    ]);
  });

  it('refuses to fork the chain when another writer uses the same server_id', async () => {
    const url = await pg.cluster.database();
    const report = recordingReport();
    const first = sink(url, 'twin');
    const second = sink(url, 'twin', { report });
    await first.open();
    await second.open();
    await first.write(makeEvents(1, 10));
    await expect(second.write(makeEvents(1, 12))).rejects.toThrow(/already in the table: is another game server using server_id twin/);
    expect(report.lines.join('\n')).toMatch(/another game server/);
    // Nothing of that batch went in; after open() it carries on from the real cursor.
    expect(await second.open()).toBe(10);
    await second.write(makeEvents(1, 12));
    expect((await rowsOf(url, 'twin')).length).toBe(12);
    expect((await verifyPgChains(url))[0]).toMatchObject({ intact: true, rows: 12 });
  });

  it('stores events PostgreSQL cannot hold as they are (NUL, lone surrogates, microseconds) and the chain still verifies', async () => {
    const url = await pg.cluster.database();
    const odd = makeEvents(1, 6, (seq) => {
      if (seq === 2) return { payload: { text: 'nul\u0000here', ['k\u0000']: 1 } };
      if (seq === 3) return { actor: { account: 'a\ud800', character: 'C\u0000', session_id: 1.5, protocol: null, remote_addr: null } };
      if (seq === 4) return { ts: '2026-11-20T10:00:04.123456Z' };
      if (seq === 5) return { location: 'lone \udc00 low' };
      return {};
    });
    const jsonl = await jsonlChain(odd);
    const s = sink(url, 'odd');
    await s.open();
    await s.write(odd);
    const rows = await rowsOf(url, 'odd');
    expect(rows.map((r) => r.raw !== null)).toEqual([false, true, true, true, true, false]);
    for (const r of rows) expect(r.hash).toBe(jsonl.get(r.seq)!.hash);
    expect((await verifyPgChains(url))[0]).toMatchObject({ intact: true, rows: 6 });
    // The columns of such a row cannot be edited behind its raw record's back.
    await pg.cluster.query(url, "UPDATE audit_events SET location = 'elsewhere' WHERE server_id = 'odd' AND seq = 5");
    expect((await verifyPgChains(url))[0]!.broken).toEqual({ seq: 5, reason: 'edited: its columns do not match its raw record' });
  });

  it('prunes old rows in chunks, never the newest (the cursor), and the rest still verifies', async () => {
    const url = await pg.cluster.database();
    const s = sink(url, 'old', { pruneChunk: 7 });
    const other = sink(url, 'other');
    await s.open();
    await other.open();
    await s.write(makeEvents(1, 50));
    await other.write(makeEvents(1, 50));
    // seq n is at BASE + n s: everything before seq 31 goes.
    expect(await s.prune!(makeEvents(31, 31)[0]!.event.ts)).toBe(30);
    expect((await rowsOf(url, 'old')).map((r) => r.seq)[0]).toBe(31);
    expect((await rowsOf(url, 'other')).length).toBe(50);
    // All of them older than the cutoff: the newest stays, so the cursor (and the chain's head) do.
    expect(await s.prune!('2100-01-01T00:00:00.000Z')).toBe(19);
    expect((await rowsOf(url, 'old')).map((r) => r.seq)).toEqual([50]);
    expect(await s.open()).toBe(50);
    await s.write(makeEvents(51, 55));
    const result = (await verifyPgChains(url, { serverId: 'old' }))[0]!;
    expect(result).toMatchObject({ intact: true, firstSeq: 50, lastSeq: 55, fromGenesis: false });
  });

  it('a lost server makes write reject without the password anywhere; open() reconnects and the backlog lands exactly once', async () => {
    const url = await pg.cluster.database();
    const report = recordingReport();
    const s = sink(url, 'outage', { report, connectTimeoutMs: 2000 });
    expect(s.target).not.toContain(pg.cluster.password);
    expect(s.target).toContain('***');
    await s.open();
    await s.write(makeEvents(1, 20));

    await pg.cluster.stop();
    const messages: string[] = [];
    const failed = await s.write(makeEvents(21, 30)).then(() => null, (e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    messages.push(failed!.message, String(failed), failed!.stack ?? '', JSON.stringify(failed), JSON.stringify(Object.entries(failed!)));
    const reopen = await s.open().then(() => null, (e: Error) => e);
    expect(reopen).toBeInstanceOf(Error);
    messages.push(reopen!.message, reopen!.stack ?? '', JSON.stringify(reopen));
    expect(reopen!.message).toMatch(/cannot connect.*ECONNREFUSED/);
    await expect(s.write(makeEvents(21, 30))).rejects.toThrow(/not open/);
    // A sink that never connected, and a wrong password, say why without saying it.
    const cold = await postgresSink({ url, serverId: 'cold', report }).open().then(() => null, (e: Error) => e);
    messages.push(cold!.message, cold!.stack ?? '');
    await pg.cluster.start();
    const wrong = url.replace(pg.cluster.password, `${pg.cluster.password}-wrong`);
    const denied = await postgresSink({ url: wrong, serverId: 'x', report }).open().then(() => null, (e: Error) => e);
    expect(denied!.message).toMatch(/password authentication failed/);
    messages.push(denied!.message, denied!.stack ?? '');
    messages.push(...report.lines, s.target);
    for (const m of messages) expect(leaks(m, pg.cluster.password), m).toBe(false);
    expect(report.lines.some((l) => /connection lost/.test(l))).toBe(true);

    // Back: the cursor is where the last durable write ended; the backlog goes in once.
    expect(await s.open()).toBe(20);
    await s.write(makeEvents(15, 30));
    expect((await rowsOf(url, 'outage')).map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await verifyPgChains(url))[0]).toMatchObject({ intact: true, rows: 30 });
  }, 60_000);

  it('a server that goes away mid-write leaves the whole batch or none of it', async () => {
    const url = await pg.cluster.database();
    const report = recordingReport();
    const s = sink(url, 'midway', { report, batchRows: 50 });
    await s.open();
    await s.write(makeEvents(1, 10));
    const big = makeEvents(11, 20_010);
    const writing = s.write(big).then(() => null, (e: Error) => e);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await pg.cluster.stop();
    const error = await writing;
    await pg.cluster.start();
    const cursor = await s.open();
    // Usually it was cut off (the error says which seqs, never the password); either way, all or nothing.
    if (error) {
      expect(error.message).toMatch(/^PostgreSQL postgres:\/\/mud:\*\*\*@.*(writing seq 11-20010|not open)/);
      expect(leaks(`${error.message} ${error.stack} ${report.lines.join()}`, pg.cluster.password)).toBe(false);
    }
    expect([10, 20_010]).toContain(cursor);
    expect((await rowsOf(url, 'midway')).length).toBe(cursor);
    await s.write(big);
    expect((await verifyPgChains(url))[0]).toMatchObject({ intact: true, rows: 20_010 });
  }, 90_000);
});
