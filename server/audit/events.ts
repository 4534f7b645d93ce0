import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { Session } from '../sessions/session.ts';

/**
 * One audited happening. The schema is stable (additions only): the text logs, and any later
 * structured sink, render these same facts. Secrets are masked when the event is made, so no
 * sink can leak one; escaping for line-based files is the text sink's job.
 */
export interface AuditEvent {
  /** ISO-8601 UTC with milliseconds. */
  ts: string;
  event_type: AuditEventType | ServerEventType;
  actor: AuditActor;
  target: AuditTarget | null;
  /** Name of the room where it happened, if any. */
  location: string | null;
  payload: Record<string, unknown>;
  success: boolean;
}

export type AuditEventType =
  | 'command'
  | 'move_leave'
  | 'move_arrive'
  | 'puppet'
  | 'unpuppet'
  | 'character_created'
  | 'account_created'
  | 'login_ok'
  | 'login_failed'
  | 'logout'
  | 'password_changed'
  | 'permissions_changed'
  | 'typeclass_swapped'
  | 'connection_opened'
  | 'connection_closed'
  | 'login_locked'
  | 'dual_address'
  | 'builder_command'
  | 'object_created'
  | 'object_destroyed'
  | 'object_renamed'
  | 'say'
  | 'whisper'
  /** A line on a channel (`pub hello`); `target` is the channel. */
  | 'channel'
  | 'emote'
  | 'get'
  | 'drop'
  | 'give'
  | 'access_denied'
  | 'audit_attribute_changed'
  /** One flood of refused input or connections (a limit of server/config_limits.ts), not one per line. */
  | 'rate_limited'
  /** A staff tool used (@boot, @ban, @mute, @wall, @lockdown, @perm, @unlock, …): who, target, reason. */
  | 'admin_action'
  /** A banned address or name refused (at most once a minute per address, with the count in between). */
  | 'connection_banned'
  /** A player's `report`, with its id. */
  | 'report_filed'
  /** A protocol violation by a client (server/sessions/protocol_errors.ts), at most one per kind a minute per session. */
  | 'protocol_error'
  /** The server started serving (server/lifecycle.ts): version, pid, the settings that matter, no secret. */
  | 'server_started'
  /** The server stopped (a signal, @shutdown, a failed start, a crash): why, and after how long. */
  | 'server_stopped'
  /** Some auditing is off: a character swapped away from AuditedCharacter, or sinks off at start. */
  | 'audit_disabled'
  /** Audit events were pruned (retention, the size bound, npm run audit-prune): what range, which checkpoint before. */
  | 'audit_pruned';

/**
 * What the server itself did, rather than a player in the game: a reload of the game process
 * (who asked, which way, how long it took). Only the two-process server (server/portal/) makes
 * these, so a single game never plays them.
 */
export type ServerEventType = 'reload';

export interface AuditActor {
  account: string | null;
  character: string | null;
  session_id: number | null;
  protocol: string | null;
  remote_addr: string | null;
}

export interface AuditTarget {
  kind: string;
  id: number | null;
  name: string;
}

export const MASK = '***';

/** Who did it: from the session when there is one, else from the character alone. */
export function actorOf(session: Session | null, character: DefaultObject | null = session?.puppet ?? null): AuditActor {
  return {
    account: session?.account?.name ?? character?.account?.name ?? null,
    character: character?.key ?? null,
    session_id: session?.id ?? null,
    protocol: session?.protocol ?? null,
    remote_addr: session?.remoteAddress ?? null,
  };
}

export function targetOf(obj: DefaultObject | Account, kind?: string): AuditTarget {
  if ('typeclassPath' in obj) return { kind: kind ?? 'object', id: obj.id, name: obj.key };
  return { kind: 'account', id: obj.id, name: obj.name };
}

export interface AuditEventFields extends Partial<Pick<AuditEvent, 'target' | 'location' | 'payload' | 'success'>> {
  /**
   * The character that acted, when there is one: its id goes into `payload.character_id`.
   * Names can be changed by any Builder (`@name me = victim`), so a name alone cannot say who
   * did something; the id can. It rides in the payload, not in `actor`, because `actor` is
   * exactly the audit table's (and PostgreSQL's) columns and every sink must store an event
   * unchanged: the payload is the one part each sink keeps whole.
   */
  by?: DefaultObject | null;
}

export function auditEvent(event_type: AuditEventType | ServerEventType, actor: AuditActor, fields: AuditEventFields = {}): AuditEvent {
  const payload = fields.by ? { ...fields.payload, character_id: fields.by.id } : (fields.payload ?? {});
  return {
    ts: new Date().toISOString(),
    event_type,
    actor,
    target: fields.target ?? null,
    location: fields.location ?? null,
    payload,
    success: fields.success ?? true,
  };
}
