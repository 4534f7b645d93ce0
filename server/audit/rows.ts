/** An AuditEvent as a row of the audit table (and of the PostgreSQL sink), and back. */
import type { AuditEventRow } from '../store/audit_table.ts';
import type { AuditEvent } from './events.ts';

export function eventToRow(event: AuditEvent, seq: number | null): AuditEventRow {
  const { actor, target } = event;
  return {
    seq,
    ts: event.ts,
    event_type: event.event_type,
    account: actor.account,
    character: actor.character,
    session_id: actor.session_id,
    protocol: actor.protocol,
    remote_addr: actor.remote_addr,
    target_kind: target?.kind ?? null,
    target_id: target?.id ?? null,
    target_name: target?.name ?? null,
    location: event.location,
    payload: JSON.stringify(event.payload ?? {}),
    success: event.success ? 1 : 0,
  };
}

/** A row back as the event it was made from (plus its seq). */
export function rowToEvent(row: AuditEventRow): AuditEvent & { seq: number | null } {
  return {
    ts: row.ts,
    event_type: row.event_type as AuditEvent['event_type'],
    actor: {
      account: row.account,
      character: row.character,
      session_id: row.session_id,
      protocol: row.protocol,
      remote_addr: row.remote_addr,
    },
    target: row.target_kind === null && row.target_name === null ? null : { kind: row.target_kind ?? 'object', id: row.target_id, name: row.target_name ?? '' },
    location: row.location,
    payload: parsePayload(row.payload),
    success: row.success !== 0,
    seq: row.seq,
  };
}

/** A stored payload as an object, whatever the row holds (an operator's tool must not throw on it). */
function parsePayload(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { unparsed: text };
  }
}
