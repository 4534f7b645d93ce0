/**
 * Audit searches from PostgreSQL (MUD_AUDIT_READ=pg): every server's events, newest first, in
 * the shape of the SQLite table's rows plus the server they came from, so `@audit/search` and
 * the console can show one trail for several game servers. The filters are those of
 * ObjectStore.searchAuditEvents, with the same meaning:
 *  - names (character, account, target) match case-insensitively (lower() = lower(), indexed);
 *  - since is inclusive, until exclusive;
 *  - text is a case-insensitive substring of the payload's JSON, the target name or the
 *    location. One difference: PostgreSQL writes jsonb as text with a space after ':' and ',',
 *    so text that spans a key and its value (`"msg":"hi"`) does not match; values do.
 *
 * A pool of a few connections: the console and @audit/search may ask at once, and the pool
 * replaces a connection that broke (a PostgreSQL restart) on the next search.
 */
import pg from 'pg';
import type { AuditEventRow, AuditQuery } from '../store/audit_table.ts';
import { pgError, pgTypes, redactUrl } from './pg_conn.ts';
import type { PgAuditRow } from './pg_rows.ts';

export interface PgAuditEventRow extends AuditEventRow {
  server_id: string;
}

export interface PgAuditReader {
  /** The URL without its password. */
  readonly target: string;
  search(query: AuditQuery): Promise<PgAuditEventRow[]>;
  close(): Promise<void>;
}

export interface PgReaderOptions {
  url: string;
  /** Told when an idle connection breaks; the message is scrubbed. */
  onError?: (message: string) => void;
  maxConnections?: number;
  queryTimeoutMs?: number;
}

export function pgAuditReader(options: PgReaderOptions): PgAuditReader {
  const { url } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 3,
    connectionTimeoutMillis: 10_000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
    idleTimeoutMillis: 60_000,
    application_name: 'audited-mud-reader',
    types: pgTypes,
  });
  // An idle pooled connection that breaks emits 'error' on the pool: unhandled, it would
  // crash the server. The pool drops it and connects afresh for the next search.
  pool.on('error', (error) => options.onError?.(pgError(error, url, 'reader connection lost').message));

  return {
    target: redactUrl(url),
    async search(query) {
      const { sql, params } = searchSql(query);
      try {
        const r = await pool.query<PgAuditRow>(sql, params);
        return r.rows.map(toRow);
      } catch (error) {
        throw pgError(error, url, 'searching the audit events');
      }
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
}

/** LIKE's wildcards and escape character, escaped. */
const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function searchSql(query: AuditQuery): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.character !== undefined) where.push(`lower("character") = lower(${p(query.character)})`);
  if (query.account !== undefined) where.push(`lower(account) = lower(${p(query.account)})`);
  if (query.types?.length) where.push(`event_type = ANY(${p([...query.types])}::text[])`);
  if (query.remoteAddr !== undefined) where.push(`remote_addr = ${p(query.remoteAddr)}`);
  if (query.since !== undefined) where.push(`ts >= ${p(query.since)}::timestamptz`);
  if (query.until !== undefined) where.push(`ts < ${p(query.until)}::timestamptz`);
  if (query.target !== undefined) where.push(`lower(target_name) = lower(${p(query.target)})`);
  if (query.text !== undefined) {
    const like = p(likeOf(query.text));
    where.push(`(payload::text ILIKE ${like} OR target_name ILIKE ${like} OR location ILIKE ${like})`);
  }
  const limit = p(query.limit);
  const offset = p(query.offset ?? 0);
  const sql =
    `SELECT * FROM audit_events${where.length ? ` WHERE ${where.join(' AND ')}` : ''}` +
    ` ORDER BY ts DESC, server_id, seq DESC LIMIT ${limit} OFFSET ${offset}`;
  return { sql, params };
}

/** The SQLite row shape: ts as ISO text, payload as JSON text, success as 1/0. */
function toRow(r: PgAuditRow): PgAuditEventRow {
  return {
    server_id: r.server_id,
    seq: r.seq,
    ts: r.ts.toISOString(),
    event_type: r.event_type,
    account: r.account,
    character: r.character,
    session_id: r.session_id,
    protocol: r.protocol,
    remote_addr: r.remote_addr,
    target_kind: r.target_kind,
    target_id: r.target_id,
    target_name: r.target_name,
    location: r.location,
    payload: JSON.stringify(r.payload ?? {}),
    success: r.success ? 1 : 0,
  };
}
