/**
 * An audit event as a PostgreSQL row, and back. The chain is over the JSONL record,
 * canonicalJson({ ...event, seq }); audit-verify rebuilds that record from the columns, so the
 * mapping must be exact both ways. It is, for every event the game makes, but PostgreSQL cannot
 * hold everything JSON can: text and jsonb refuse U+0000, jsonb refuses lone surrogates, and
 * timestamptz keeps microseconds where the chain has the ts text as written. Such characters
 * become U+FFFD in the columns (an insert that failed on them would stall the sink forever), and
 * then the row keeps the record itself in `raw`: verify checks the hash over `raw` and that the
 * columns are what this mapping makes of it, so neither can be edited alone.
 */
import { canonicalJson, chainHash } from './canonical.ts';
import type { AuditEventRow } from '../store/audit_table.ts';
import type { AuditEvent } from './events.ts';

/** Insert order; "character" is quoted, it is an SQL keyword. */
export const COLUMNS = [
  'server_id', 'seq', 'ts', 'event_type', 'account', '"character"', 'session_id', 'protocol', 'remote_addr',
  'target_kind', 'target_id', 'target_name', 'location', 'payload', 'success', 'prev_hash', 'hash', 'raw',
] as const;

/**
 * A row as `SELECT *` returns it (bigints as numbers, see pg_conn.ts): the audit table's event
 * columns, with PostgreSQL's own types where they differ, and the chain's.
 */
export interface PgAuditRow extends Omit<AuditEventRow, 'id' | 'seq' | 'ts' | 'payload' | 'success'> {
  server_id: string;
  seq: number;
  ts: Date;
  payload: unknown;
  success: boolean;
  prev_hash: string;
  hash: string;
  raw: string | null;
}

type Columns = Omit<PgAuditRow, 'server_id' | 'seq' | 'prev_hash' | 'hash' | 'raw' | 'ts'> & { ts: string };

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return s.replace(UNSTORABLE, '\ufffd');
}

const int = (value: unknown): number | null => (Number.isSafeInteger(value) ? (value as number) : null);

function storable(value: unknown): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[text(k)!] = storable(v);
    return out;
  }
  return value;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The columns for an event (what PostgreSQL can store of it). */
function columnsOf(event: AuditEvent): Columns {
  const actor = (event.actor ?? {}) as Partial<AuditEvent['actor']>;
  const target = event.target as Partial<NonNullable<AuditEvent['target']>> | null | undefined;
  return {
    // A ts PostgreSQL might read differently from JavaScript (or not at all) is stored as the
    // epoch, deterministically, so verify can still recompute the columns from `raw`.
    ts: typeof event.ts === 'string' && ISO.test(event.ts) && !Number.isNaN(Date.parse(event.ts)) ? event.ts : '1970-01-01T00:00:00.000Z',
    event_type: text(event.event_type) ?? '',
    account: text(actor.account),
    character: text(actor.character),
    session_id: int(actor.session_id),
    protocol: text(actor.protocol),
    remote_addr: text(actor.remote_addr),
    target_kind: target ? text(target.kind) : null,
    target_id: target ? int(target.id) : null,
    target_name: target ? text(target.name) : null,
    location: text(event.location),
    payload: storable(event.payload ?? {}),
    success: event.success === true,
  };
}

/** The event as the columns say (the JSONL record without seq). */
function eventOfColumns(c: Omit<Columns, 'ts'> & { ts: Date }): Record<string, unknown> {
  const noTarget = c.target_kind === null && c.target_id === null && c.target_name === null;
  return {
    ts: c.ts.toISOString(),
    event_type: c.event_type,
    actor: { account: c.account, character: c.character, session_id: c.session_id, protocol: c.protocol, remote_addr: c.remote_addr },
    target: noTarget ? null : { kind: c.target_kind, id: c.target_id, name: c.target_name },
    location: c.location,
    payload: c.payload,
    success: c.success,
  };
}

/** What a round trip through PostgreSQL gives back for these columns. */
function roundTrip(c: Columns): Omit<Columns, 'ts'> & { ts: Date } {
  return { ...c, ts: new Date(c.ts), payload: JSON.parse(JSON.stringify(c.payload)) as unknown };
}

export interface NewRow {
  /** In COLUMNS order, ready for a parameterised INSERT. */
  values: unknown[];
  hash: string;
}

/** The row for event `seq`, chained to `prevHash` exactly as the JSONL trail chains it. */
export function newRow(serverId: string, seq: number, event: AuditEvent, prevHash: string): NewRow {
  const body = canonicalJson({ ...event, seq });
  const hash = chainHash(prevHash, body);
  const c = columnsOf(event);
  const exact = canonicalJson({ ...eventOfColumns(roundTrip(c)), seq }) === body;
  const values = [
    serverId, seq, c.ts, c.event_type, c.account, c.character, c.session_id, c.protocol, c.remote_addr,
    c.target_kind, c.target_id, c.target_name, c.location, JSON.stringify(c.payload), c.success, prevHash, hash, exact ? null : body,
  ];
  return { values, hash };
}

/**
 * The JSONL record this row stands for, or why it cannot stand for one: with `raw`, the
 * columns must be what newRow() makes of it (ts to the millisecond: PostgreSQL rounds to the
 * microsecond, JavaScript to the millisecond).
 */
export function recordOfRow(row: PgAuditRow): { body: string } | { problem: string } {
  const fromColumns = eventOfColumns(row);
  if (row.raw === null) return { body: canonicalJson({ ...fromColumns, seq: row.seq }) };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(row.raw) as Record<string, unknown>;
  } catch {
    return { problem: 'its raw record is not JSON' };
  }
  if (parsed?.seq !== row.seq) return { problem: `its raw record has seq ${String(parsed?.seq)}` };
  const { seq: _seq, ...event } = parsed;
  const expected = eventOfColumns(roundTrip(columnsOf(event as unknown as AuditEvent)));
  const sameTs = Math.abs(Date.parse(expected.ts as string) - row.ts.getTime()) <= 1;
  if (!sameTs || canonicalJson({ ...expected, ts: '' }) !== canonicalJson({ ...fromColumns, ts: '' })) {
    return { problem: 'its columns do not match its raw record' };
  }
  return { body: row.raw };
}
