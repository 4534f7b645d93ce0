/**
 * Verifies the hash chains in PostgreSQL, one per server_id: each row's hash must be
 * SHA-256(prev_hash + the JSONL record rebuilt from its columns), each prev_hash the hash of the
 * row before, and seq must go up by one. Names the first bad seq of each server. Read-only: it
 * never creates or migrates the schema, so it is safe against a live database.
 *
 * Not breaks, but reported (as the JSONL verifier does):
 *  - a first row that does not link to the genesis hash: older rows were pruned by retention, or
 *    PostgreSQL was added after the server's trail began (the sink's seed);
 *  - a jump in seq where the hashes still link: the sink itself skipped those events (the worker
 *    dropped them for this sink, MUD_AUDIT_ON_FULL=drop). A row removed afterwards cannot link.
 */
import type pg from 'pg';
import { chainHash, GENESIS_HASH, HASH_RE } from './canonical.ts';
import { connect, hasAuditTable, pgError } from './pg_conn.ts';
import { recordOfRow, type PgAuditRow } from './pg_rows.ts';

export interface PgChainResult {
  serverId: string;
  intact: boolean;
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The first row links to the genesis hash. */
  fromGenesis: boolean;
  notes: string[];
  /** The first problem, when not intact. */
  broken: { seq: number; reason: string } | null;
}

export interface PgVerifyOptions {
  /** Only this server (default: every server_id in the table). */
  serverId?: string;
  /** Rows fetched per query. */
  pageRows?: number;
}

/** Every server's chain (sorted by server_id); an empty list when the table has no rows. */
export async function verifyPgChains(url: string, options: PgVerifyOptions = {}): Promise<PgChainResult[]> {
  const client = await connect(url);
  try {
    if (!(await hasAuditTable(client))) throw new Error('there is no audit_events table in that database');
    const servers = options.serverId !== undefined ? [options.serverId] : await serverIds(client);
    const out: PgChainResult[] = [];
    for (const id of servers) out.push(await verifyServer(client, id, options.pageRows ?? 5000));
    return out;
  } catch (error) {
    throw pgError(error, url, 'verifying the audit chains');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** DISTINCT server_id by hopping along the primary key (a plain DISTINCT reads every row). */
async function serverIds(client: pg.Client): Promise<string[]> {
  const r = await client.query<{ server_id: string }>(`
    WITH RECURSIVE s(server_id) AS (
      (SELECT server_id FROM audit_events ORDER BY server_id LIMIT 1)
      UNION ALL
      SELECT (SELECT a.server_id FROM audit_events a WHERE a.server_id > s.server_id ORDER BY a.server_id LIMIT 1)
        FROM s WHERE s.server_id IS NOT NULL
    ) SELECT server_id FROM s WHERE server_id IS NOT NULL`);
  return r.rows.map((row) => row.server_id);
}

async function verifyServer(client: pg.Client, serverId: string, pageRows: number): Promise<PgChainResult> {
  const result: PgChainResult = { serverId, intact: true, rows: 0, firstSeq: null, lastSeq: null, fromGenesis: false, notes: [], broken: null };
  const fail = (seq: number, reason: string) => {
    result.intact = false;
    result.broken = { seq, reason };
    return result;
  };
  let prev: { seq: number; hash: string } | null = null;
  for (;;) {
    // Keyset pages in seq order: constant memory, and rows appended meanwhile are simply read too.
    const page: pg.QueryResult<PgAuditRow> = await client.query<PgAuditRow>(
      'SELECT * FROM audit_events WHERE server_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [serverId, prev?.seq ?? -1, pageRows],
    );
    for (const row of page.rows) {
      const record = recordOfRow(row);
      if ('problem' in record) return fail(row.seq, `edited: ${record.problem}`);
      if (!HASH_RE.test(row.hash) || !HASH_RE.test(row.prev_hash)) return fail(row.seq, 'edited: its hash or prev_hash is not a SHA-256 hex digest');
      if (chainHash(row.prev_hash, record.body) !== row.hash) return fail(row.seq, 'edited: the row does not match its hash');
      if (prev === null) {
        result.firstSeq = row.seq;
        result.fromGenesis = row.prev_hash === GENESIS_HASH;
        if (!result.fromGenesis) {
          result.notes.push(
            `the chain starts mid-way at seq ${row.seq}: older rows were pruned, or PostgreSQL was added after the trail began; this first row can only be checked by the ones after it`,
          );
        } else if (row.seq !== 1) {
          result.notes.push(`the chain starts at seq ${row.seq} from the genesis hash`);
        }
      } else if (row.prev_hash !== prev.hash) {
        if (row.seq === prev.seq + 1) {
          return fail(row.seq, `its prev_hash is not the hash of seq ${prev.seq}: seq ${prev.seq} or this row was edited (a row rewritten with a fresh hash breaks the link to the next)`);
        }
        const missing = row.seq === prev.seq + 2 ? `seq ${prev.seq + 1} is` : `seq ${prev.seq + 1}-${row.seq - 1} are`;
        return fail(row.seq, `removed: ${missing} missing before this row`);
      } else if (row.seq !== prev.seq + 1) {
        result.notes.push(`seq jumps from ${prev.seq} to ${row.seq} with the chain intact: ${row.seq - prev.seq - 1} event(s) never reached PostgreSQL (dropped for this sink)`);
      }
      prev = { seq: row.seq, hash: row.hash };
      result.rows++;
      result.lastSeq = row.seq;
    }
    if (page.rows.length < pageRows) return result;
  }
}

/** audit-verify's report: a line per server (its notes first), and whether all are intact. */
export function describePgChains(results: readonly PgChainResult[], where: string): { lines: string[]; intact: boolean } {
  if (!results.length) return { lines: [`No audit events in PostgreSQL ${where}: nothing to verify.`], intact: false };
  const lines: string[] = [];
  for (const r of results) {
    for (const note of r.notes) lines.push(`note: server ${r.serverId}: ${note}`);
    if (r.intact) {
      const span = r.firstSeq === null ? 'no rows' : `seq ${r.firstSeq} to ${r.lastSeq}`;
      lines.push(`server ${r.serverId}: intact: ${r.rows} row(s), ${span}${r.fromGenesis ? ', from the start of the chain' : ''}.`);
    } else {
      const b = r.broken!;
      lines.push(`server ${r.serverId}: BROKEN at seq ${b.seq}: ${b.reason}`);
      if (r.rows > 0) lines.push(`server ${r.serverId}: the ${r.rows} row(s) before it (from seq ${r.firstSeq}) are intact.`);
    }
  }
  return { lines, intact: results.every((r) => r.intact) };
}
