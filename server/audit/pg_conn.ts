/**
 * What the PostgreSQL audit modules share: connecting, the schema and its migrations, and keeping
 * the password out of every message. `MUD_AUDIT_PG_URL` carries the password
 * (postgres://user:pass@host/db), and a URL or an error is easily printed: every string these
 * modules let out goes through redactUrl() or scrubbed().
 */
import pg from 'pg';
import { redactUrl, scrubbed } from './pg_redact.ts';

export { redactUrl, scrubbed };

/**
 * A fresh Error for a pg failure: the message scrubbed and prefixed with what was being done,
 * keeping only the error's code (SQLSTATE or errno). Never the original object: its fields
 * (and its cause chain) are not ours to vouch for.
 */
export function pgError(error: unknown, url: string, doing: string): Error & { code?: string } {
  const e = error as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
  const out: Error & { code?: string } = new Error(`PostgreSQL ${redactUrl(url)}: ${doing}: ${scrubbed(message, url)}`);
  if (typeof e?.code === 'string') out.code = e.code;
  return out;
}

/** bigint columns (seq, ids) as numbers: they stay far below 2^53. */
export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface ConnectOptions {
  connectTimeoutMs?: number;
  /** A query that takes longer rejects (a network that hangs must not stall the worker). */
  queryTimeoutMs?: number;
  /** Called when an idle connection breaks (server restart, network), with a scrubbed message. */
  onBroken?: (message: string) => void;
}

/** A connected client. Errors are already scrubbed. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<pg.Client> {
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      query_timeout: options.queryTimeoutMs ?? 60_000,
      keepAlive: true,
      application_name: 'audited-mud',
      types: pgTypes,
    });
  } catch (error) {
    throw pgError(error, url, 'bad URL');
  }
  // Without a listener, a connection that breaks while idle would throw from an event emitter
  // and take the whole process down.
  client.on('error', (error) => options.onBroken?.(pgError(error, url, 'connection lost').message));
  try {
    await client.connect();
  } catch (error) {
    void client.end().catch(() => undefined);
    throw pgError(error, url, 'cannot connect');
  }
  return client;
}

/**
 * The schema, one step per version; never edit a step once released, add one. Column names
 * are the SQLite audit table's, plus server_id and the chain. `raw` is the event's canonical JSON,
 * kept only for the rare event the columns cannot hold exactly (see pg_rows.ts), so the chain
 * still verifies.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE audit_events (
     server_id   text        NOT NULL,
     seq         bigint      NOT NULL,
     ts          timestamptz NOT NULL,
     event_type  text        NOT NULL,
     account     text,
     "character" text,
     session_id  bigint,
     protocol    text,
     remote_addr text,
     target_kind text,
     target_id   bigint,
     target_name text,
     location    text,
     payload     jsonb       NOT NULL DEFAULT '{}',
     success     boolean     NOT NULL,
     prev_hash   text        NOT NULL,
     hash        text        NOT NULL,
     raw         text,
     PRIMARY KEY (server_id, seq)
   );
   -- The searches: newest first over every server, by name (case-insensitive), type, address.
   CREATE INDEX audit_events_ts ON audit_events (ts DESC);
   CREATE INDEX audit_events_character ON audit_events (lower("character"), ts DESC);
   CREATE INDEX audit_events_account ON audit_events (lower(account), ts DESC);
   CREATE INDEX audit_events_type ON audit_events (event_type, ts DESC);
   CREATE INDEX audit_events_addr ON audit_events (remote_addr, ts DESC);
   CREATE INDEX audit_events_target ON audit_events (lower(target_name), ts DESC);
   -- Retention, per server.
   CREATE INDEX audit_events_server_ts ON audit_events (server_id, ts);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Arbitrary, fixed: serialises migrations when several game servers start at once. */
const MIGRATION_LOCK = 0x6d7564a1;

/** Creates or migrates the schema; refuses a database from a newer version of the server. */
export async function migrate(client: pg.Client): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS audit_schema_version (version integer NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT max(version) AS version FROM audit_schema_version')).rows[0];
    const have = row?.version ?? 0;
    if (have > SCHEMA_VERSION) {
      throw new Error(`the audit schema there is version ${have}, newer than this server knows (${SCHEMA_VERSION}): upgrade the game server`);
    }
    for (let v = have; v < SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
    if (have < SCHEMA_VERSION) {
      await client.query('DELETE FROM audit_schema_version');
      await client.query('INSERT INTO audit_schema_version (version) VALUES ($1)', [SCHEMA_VERSION]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Whether the audit table exists (the reader and audit-verify must not create it). */
export async function hasAuditTable(client: pg.Client): Promise<boolean> {
  const r = await client.query<{ t: string | null }>("SELECT to_regclass('audit_events')::text AS t");
  return r.rows[0]?.t != null;
}
