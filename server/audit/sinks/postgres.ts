/**
 * The PostgreSQL sink: several game servers write one database, each under its own server_id,
 * each with its own hash chain, identical to its JSONL trail's (same seq, same hash).
 *
 * Exactly once: the cursor is the highest seq this server has in the table, rows are keyed on
 * (server_id, seq), and a write is one transaction of multi-row INSERTs with ON CONFLICT DO
 * NOTHING. A crash mid-write leaves the whole batch or none of it; events at or below the cursor
 * are skipped (they are there already, and the chain continues from the last durable row).
 *
 * A failure rejects the write and drops the connection; the worker retries after open(), which
 * reconnects and reads the cursor again. No message from here carries the URL's password.
 */
import type pg from 'pg';
import { GENESIS_HASH } from '../canonical.ts';
import { connect, migrate, pgError, redactUrl } from '../pg_conn.ts';
import { COLUMNS, newRow } from '../pg_rows.ts';
import type { DeliverySink, OutboxEvent, SinkReporter } from './sink.ts';

export interface PostgresSinkOptions {
  url: string;
  /** This game server's name in the shared table (MUD_SERVER_ID). */
  serverId: string;
  report: SinkReporter;
  /** Rows per INSERT statement (18 parameters each; PostgreSQL allows 65535 per statement). */
  batchRows?: number;
  /**
   * The hash the first row chains to when this server has no rows yet: the JSONL hash of the
   * event before it, when PostgreSQL is added to a server whose trail has begun. A function is
   * asked with the seq of that first row. Default: GENESIS_HASH.
   */
  seedPrevHash?: string | ((firstSeq: number) => string | Promise<string>);
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Rows deleted per statement by prune(). */
  pruneChunk?: number;
}

export interface PostgresSink extends DeliverySink {
  /** The URL without its password, and the server_id: for /metrics, stats and log lines. */
  readonly target: string;
}

const MAX_BATCH_ROWS = Math.floor(65535 / COLUMNS.length);

export function postgresSink(options: PostgresSinkOptions): PostgresSink {
  const { url, serverId, report } = options;
  if (!serverId) throw new Error('postgresSink: serverId is empty');
  const batchRows = Math.max(1, Math.min(options.batchRows ?? 500, MAX_BATCH_ROWS));
  const pruneChunk = options.pruneChunk ?? 5000;
  const target = `${redactUrl(url)} (server_id ${serverId})`;

  let client: pg.Client | null = null;
  /** The last durable row: seq 0 and hash null when this server has none. */
  let head: { seq: number; hash: string | null } | null = null;
  let busy: Promise<unknown> = Promise.resolve();

  /** One operation at a time on the one connection (a pg client is not shared mid-transaction). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = busy.then(fn, fn);
    busy = run.catch(() => undefined);
    return run;
  };

  /**
   * Forgets the connection. Its end() is not waited for past a moment: on a network that
   * swallows packets it could hang, and the worker must get its rejection to retry.
   */
  const drop = async (waitMs = 0) => {
    const c = client;
    client = null;
    head = null;
    if (c) await endQuietly(c, waitMs);
  };

  const open = async (): Promise<number> => {
    if (!client) {
      let fresh: pg.Client | null = null;
      fresh = await connect(url, {
        connectTimeoutMs: options.connectTimeoutMs,
        queryTimeoutMs: options.queryTimeoutMs,
        onBroken: (message) => {
          report.warn(`Audit sink pg, server_id ${serverId}: ${message}`);
          // The next write fails fast; open() makes a new connection. (Only if this is still
          // the connection in use: a late error from an old one must not drop its successor.)
          if (fresh && client === fresh) void drop();
        },
      });
      client = fresh;
      try {
        await migrate(client);
        // "Durable when resolved": a database whose default is synchronous_commit=off would
        // acknowledge a COMMIT it can still lose, and the outbox would then drop those events.
        const sync = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
        if (sync.rows[0]?.synchronous_commit === 'off') await client.query('SET synchronous_commit = on');
      } catch (error) {
        await drop();
        throw pgError(error, url, 'creating the audit schema');
      }
    }
    try {
      const r = await client.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_events WHERE server_id = $1 ORDER BY seq DESC LIMIT 1',
        [serverId],
      );
      const last = r.rows[0];
      head = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: null };
      return head.seq;
    } catch (error) {
      await drop();
      throw pgError(error, url, 'reading the cursor');
    }
  };

  const write = async (events: readonly OutboxEvent[]): Promise<void> => {
    if (!client || !head) throw new Error(`PostgreSQL ${target}: not open (the connection was lost; open() reconnects)`);
    const c = client;
    const fresh = events.filter((e) => e.seq > head!.seq);
    if (!fresh.length) return;
    let prev = head.hash;
    if (prev === null) {
      const seed = options.seedPrevHash;
      prev = typeof seed === 'function' ? await seed(fresh[0]!.seq) : (seed ?? GENESIS_HASH);
    }
    const rows: unknown[][] = [];
    let last = head.seq;
    for (const e of fresh) {
      if (e.seq <= last) throw new Error(`PostgreSQL ${target}: events out of order (seq ${e.seq} after ${last})`);
      const row = newRow(serverId, e.seq, e.event, prev);
      rows.push(row.values);
      prev = row.hash;
      last = e.seq;
    }
    try {
      await c.query('BEGIN');
      let inserted = 0;
      for (let i = 0; i < rows.length; i += batchRows) {
        const chunk = rows.slice(i, i + batchRows);
        const r = await c.query(insertSql(chunk.length), chunk.flat());
        inserted += r.rowCount ?? 0;
      }
      if (inserted !== rows.length) {
        // Rows above our cursor were there already: another process writes this server_id, or
        // the cursor is stale. Writing on would fork the chain; reopen and read it again.
        await c.query('ROLLBACK');
        head = null;
        const message = `${rows.length - inserted} of seq ${fresh[0]!.seq}-${last} were already in the table: is another game server using server_id ${serverId}?`;
        report.warn(`Audit sink pg ${target}: ${message}`);
        throw new Error(`PostgreSQL ${target}: ${message}`);
      }
      await c.query('COMMIT');
    } catch (error) {
      // Whatever state the transaction and the connection are in, start again from open().
      if (client === c) await drop();
      else await endQuietly(c, 0);
      if ((error as Error).message.startsWith(`PostgreSQL ${target}`)) throw error;
      throw pgError(error, url, `writing seq ${fresh[0]!.seq}-${last}`);
    }
    head = { seq: last, hash: prev };
  };

  const prune = async (cutoff: string): Promise<number> => {
    if (!client) await open();
    const c = client!;
    let total = 0;
    try {
      for (;;) {
        // The newest row stays whatever its age: it is the cursor and the head of the chain.
        const r = await c.query(
          `DELETE FROM audit_events WHERE server_id = $1 AND seq IN (
             SELECT seq FROM audit_events
              WHERE server_id = $1 AND ts < $2
                AND seq < (SELECT max(seq) FROM audit_events WHERE server_id = $1)
              ORDER BY seq LIMIT $3)`,
          [serverId, cutoff, pruneChunk],
        );
        total += r.rowCount ?? 0;
        if ((r.rowCount ?? 0) < pruneChunk) return total;
      }
    } catch (error) {
      if (client === c) await drop();
      throw pgError(error, url, 'pruning');
    }
  };

  return {
    name: 'pg',
    target,
    open: () => serial(open),
    write: (events) => serial(() => write(events)),
    prune: (cutoff) => serial(() => prune(cutoff)),
    close: () => serial(() => drop(5000)),
  };
}

/** end(), waiting for it at most `ms`. */
async function endQuietly(c: pg.Client, ms: number): Promise<void> {
  const ended = c.end().catch(() => undefined);
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const insertSqlCache = new Map<number, string>();

function insertSql(rows: number): string {
  let sql = insertSqlCache.get(rows);
  if (!sql) {
    const n = COLUMNS.length;
    const payload = COLUMNS.indexOf('payload');
    const tuples = Array.from({ length: rows }, (_, r) => `(${COLUMNS.map((_, i) => `$${r * n + i + 1}${i === payload ? '::jsonb' : ''}`).join(', ')})`);
    sql = `INSERT INTO audit_events (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (server_id, seq) DO NOTHING`;
    if (insertSqlCache.size < 64) insertSqlCache.set(rows, sql);
  }
  return sql;
}
