import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAuditReader, type PgAuditReader } from '../../server/audit/pg_reader.ts';
import { postgresSink } from '../../server/audit/sinks/postgres.ts';
import { eventToRow } from '../../server/audit/rows.ts';
import { AuditTable, type AuditQuery } from '../../server/store/audit_table.ts';
import { startPgCluster, type PgCluster } from '../support/postgres.ts';
import { leaks, makeEvents, pgBin, recordingReport } from './helpers.ts';

describe.skipIf(!pgBin)('MUD_AUDIT_READ=pg: searching every server in PostgreSQL', () => {
  let cluster: PgCluster;
  let url: string;
  let reader: PgAuditReader;
  let store: AuditTable;
  let dir: string;
  const events = makeEvents(1, 80, (seq) => ({
    // Text the filters must treat literally, and names in other cases.
    payload: seq === 33 ? { text: 'a 100%_sure \\ thing' } : seq === 34 ? { text: 'a 100 xsure thing' } : { text: `said ${seq}` },
    location: seq === 40 ? 'The Long HALL' : seq % 3 ? 'Courtyard' : null,
  }));
  beforeAll(async () => {
    cluster = await startPgCluster(pgBin!);
    url = await cluster.database();
    const sink = postgresSink({ url, serverId: 'solo', report: recordingReport() });
    await sink.open();
    await sink.write(events);
    await sink.close();
    reader = pgAuditReader({ url });
    // The same events in the SQLite table: the reference for every filter.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mud-pgread-'));
    store = new AuditTable(path.join(dir, 'audit.sqlite3'), 'write');
    store.insert(events.map((e) => eventToRow(e.event, e.seq)));
  }, 90_000);
  afterAll(async () => {
    await reader?.close();
    store?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await cluster?.destroy();
  }, 90_000);

  const ts = (seq: number) => events[seq - 1]!.event.ts;
  const queries: Array<[string, AuditQuery]> = [
    ['everything, newest first', { limit: 1000 }],
    ['a page', { limit: 10, offset: 15 }],
    ['character, any case', { character: 'aLiCe', limit: 1000 }],
    ['account', { account: 'BOB', limit: 1000 }],
    ['types', { types: ['say', 'get'], limit: 1000 }],
    ['remote address', { remoteAddr: '10.0.0.2', limit: 1000 }],
    ['since inclusive, until exclusive', { since: ts(20), until: ts(30), limit: 1000 }],
    ['text in the payload', { text: 'SAID 7', limit: 1000 }],
    ['text with LIKE wildcards, literally', { text: '100%_', limit: 1000 }],
    ['text with a backslash', { text: '\\ thing', limit: 1000 }],
    ['text in the location', { text: 'long hall', limit: 1000 }],
    ['text in the target name', { text: 'sword 1', limit: 1000 }],
    ['target, any case', { target: 'SWORD 12', limit: 1000 }],
    ['all at once', { character: 'bob', types: ['say', 'get', 'command', 'move_arrive'], remoteAddr: '10.0.0.2', since: ts(10), until: ts(70), text: 'said', limit: 5, offset: 1 }],
    ['nothing', { character: 'nobody', limit: 1000 }],
  ];
  it.each(queries)('%s: the rows the SQLite audit table returns, with the server', async (_, query) => {
    const got = await reader.search(query);
    const want = store.search(query).map(({ id: _id, ...row }) => ({ ...row, server_id: 'solo' }));
    expect(got).toEqual(want);
    if (query.limit === 1000 && query.character !== 'nobody') expect(got.length).toBeGreaterThan(0);
  });

  it('shows every server, newest first, with a server_id column', async () => {
    const other = postgresSink({ url, serverId: 'second', report: recordingReport() });
    await other.open();
    // Half a second after the solo events of the same seq: interleaved in time.
    await other.write(makeEvents(1, 5, (seq) => ({ ts: new Date(Date.parse(ts(seq)) + 500).toISOString(), actor: { account: 'carol', character: 'Carol', session_id: 1, protocol: 'telnet', remote_addr: '10.0.0.3' } })));
    await other.close();
    const rows = await reader.search({ since: ts(1), until: ts(6), limit: 100 });
    expect(rows.map((r) => `${r.server_id}:${r.seq}`)).toEqual(['second:5', 'solo:5', 'second:4', 'solo:4', 'second:3', 'solo:3', 'second:2', 'solo:2', 'second:1', 'solo:1']);
    expect((await reader.search({ character: 'carol', limit: 100 })).map((r) => r.server_id)).toEqual(Array(5).fill('second'));
  });

  it('a search while PostgreSQL is down rejects without the password, and works again once it is back', async () => {
    const messages: string[] = [];
    const live = pgAuditReader({ url, onError: (m) => messages.push(m) });
    expect(live.target).not.toContain(cluster.password);
    expect((await live.search({ limit: 1 })).length).toBe(1);
    await cluster.stop();
    try {
      const error = await live.search({ limit: 1 }).then(() => null, (e: Error) => e);
      expect(error?.message).toMatch(/^PostgreSQL postgres:\/\/mud:\*\*\*@.*: searching the audit events: /);
      messages.push(error!.message, error!.stack ?? '', JSON.stringify(error));
    } finally {
      await cluster.start();
    }
    for (const m of messages) expect(leaks(m, cluster.password), m).toBe(false);
    expect((await live.search({ limit: 2 })).length).toBe(2);
    await live.close();
  }, 60_000);
});
