import { describe, expect, it } from 'vitest';
import { chainHash, canonicalJson } from '../../server/audit/canonical.ts';
import { describePgChains, verifyPgChains } from '../../server/audit/pg_verify.ts';
import { postgresSink } from '../../server/audit/sinks/postgres.ts';
import { runCli } from '../support/cli.ts';
import { leaks, makeEvents, clusterForFile, pgBin, recordingReport } from './helpers.ts';

describe.skipIf(!pgBin)('audit-verify --pg', () => {
  const pg = clusterForFile();

  /** A database with servers a (1..30) and b (1..12). */
  const filled = async () => {
    const url = await pg.cluster.database();
    for (const [id, n] of [['a', 30], ['b', 12]] as const) {
      const s = postgresSink({ url, serverId: id, report: recordingReport() });
      await s.open();
      await s.write(makeEvents(1, n));
      await s.close();
    }
    return url;
  };
  const brokenOf = async (url: string, serverId: string) => (await verifyPgChains(url)).find((r) => r.serverId === serverId)!.broken;

  it('says intact per server, then names the first tampered row', async () => {
    const url = await filled();
    const results = await verifyPgChains(url, { pageRows: 8 });
    expect(results.map((r) => [r.serverId, r.intact, r.rows, r.firstSeq, r.lastSeq, r.fromGenesis])).toEqual([
      ['a', true, 30, 1, 30, true],
      ['b', true, 12, 1, 12, true],
    ]);
    expect(describePgChains(results, 'db').lines).toEqual([
      'server a: intact: 30 row(s), seq 1 to 30, from the start of the chain.',
      'server b: intact: 12 row(s), seq 1 to 12, from the start of the chain.',
    ]);

    // An edited payload: that row no longer matches its hash. The other server is unaffected.
    await pg.cluster.query(url, `UPDATE audit_events SET payload = jsonb_set(payload, '{text}', '"forged"') WHERE server_id = 'a' AND seq = 17`);
    const after = await verifyPgChains(url, { pageRows: 8 });
    expect(after[0]).toMatchObject({ intact: false, rows: 16, broken: { seq: 17, reason: 'edited: the row does not match its hash' } });
    expect(after[1]!.intact).toBe(true);
    expect(describePgChains(after, 'db')).toEqual({
      intact: false,
      lines: [
        'server a: BROKEN at seq 17: edited: the row does not match its hash',
        'server a: the 16 row(s) before it (from seq 1) are intact.',
        'server b: intact: 12 row(s), seq 1 to 12, from the start of the chain.',
      ],
    });
  });

  it('catches edits of every kind of column, a rehashed row, a removed row and a renumbered one', async () => {
    const edits: Array<[string, number]> = [
      ['ts = ts + interval \'1 second\'', 3],
      [`"character" = 'Mallory'`, 4],
      ['success = NOT success', 5],
      ['target_name = NULL, target_kind = NULL, target_id = NULL', 8],
      ['event_type = \'say\'', 6],
      ['session_id = 99', 7],
      ['location = NULL', 10],
    ];
    for (const [set, seq] of edits) {
      const url = await filled();
      await pg.cluster.query(url, `UPDATE audit_events SET ${set} WHERE server_id = 'b' AND seq = ${seq}`);
      expect(await brokenOf(url, 'b'), set).toEqual({ seq, reason: 'edited: the row does not match its hash' });
    }

    // Rewritten with a hash that matches the edit: the next row's link gives it away.
    let url = await filled();
    const row = (await pg.cluster.query(url, "SELECT * FROM audit_events WHERE server_id = 'a' AND seq = 10")).rows[0] as Record<string, unknown>;
    const forged = { ...makeEvents(10, 10)[0]!.event, location: 'Vault' };
    const hash = chainHash(row.prev_hash as string, canonicalJson({ ...forged, seq: 10 }));
    await pg.cluster.query(url, "UPDATE audit_events SET location = 'Vault', hash = $1 WHERE server_id = 'a' AND seq = 10", [hash]);
    expect((await brokenOf(url, 'a'))?.seq).toBe(11);
    expect((await brokenOf(url, 'a'))?.reason).toMatch(/prev_hash is not the hash of seq 10/);

    url = await filled();
    await pg.cluster.query(url, "DELETE FROM audit_events WHERE server_id = 'a' AND seq IN (20, 21)");
    expect(await brokenOf(url, 'a')).toEqual({ seq: 22, reason: 'removed: seq 20-21 are missing before this row' });

    url = await filled();
    await pg.cluster.query(url, "UPDATE audit_events SET seq = 100 WHERE server_id = 'a' AND seq = 30");
    expect(await brokenOf(url, 'a')).toEqual({ seq: 100, reason: 'edited: the row does not match its hash' });
  });

  it('a gap the sink itself left (events dropped for it) is a note, not a break', async () => {
    const url = await pg.cluster.database();
    const s = postgresSink({ url, serverId: 'gappy', report: recordingReport() });
    await s.open();
    await s.write([...makeEvents(1, 5), ...makeEvents(9, 12)]);
    await s.close();
    const [r] = await verifyPgChains(url);
    expect(r).toMatchObject({ intact: true, rows: 9, lastSeq: 12 });
    expect(r!.notes).toEqual(['seq jumps from 5 to 9 with the chain intact: 3 event(s) never reached PostgreSQL (dropped for this sink)']);
  });

  it('npm run audit-verify -- --pg: per server, exit 0 intact, 1 broken, 2 unreachable, never the password', async () => {
    const url = await filled();
    let run = runCli('audit_verify.ts', ['--pg'], { MUD_AUDIT_PG_URL: url });
    expect(run.stdout).toBe(
      'server a: intact: 30 row(s), seq 1 to 30, from the start of the chain.\nserver b: intact: 12 row(s), seq 1 to 12, from the start of the chain.\n',
    );
    expect(run.code).toBe(0);
    await pg.cluster.query(url, "UPDATE audit_events SET remote_addr = '6.6.6.6' WHERE server_id = 'b' AND seq = 2");
    run = runCli('audit_verify.ts', [`--pg=${url}`], {});
    expect(run.stdout).toContain('server b: BROKEN at seq 2: edited: the row does not match its hash\n');
    expect(run.stdout).toContain('server a: intact');
    expect(run.code).toBe(1);

    const down = url.replace(/:(\d+)\//, ':1/');
    run = runCli('audit_verify.ts', ['--pg'], { MUD_AUDIT_PG_URL: down });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error: PostgreSQL postgres:\/\/mud:\*\*\*@127\.0\.0\.1:1\/.*ECONNREFUSED/);
    expect(leaks(run.stdout + run.stderr, pg.cluster.password)).toBe(false);

    run = runCli('audit_verify.ts', ['--pg'], { MUD_AUDIT_PG_URL: '' });
    expect([run.code, run.stderr]).toEqual([2, 'error: --pg: set MUD_AUDIT_PG_URL (postgres://user:password@host:5432/database), or give --pg=<url>\n']);
    run = runCli('audit_verify.ts', ['--pg', 'file.jsonl'], { MUD_AUDIT_PG_URL: url });
    expect(run.code).toBe(2);
    const empty = await pg.cluster.database();
    run = runCli('audit_verify.ts', ['--pg'], { MUD_AUDIT_PG_URL: empty });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/there is no audit_events table/);
  }, 60_000);
});
