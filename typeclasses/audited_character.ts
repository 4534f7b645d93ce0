import { actorOf, auditEvent, targetOf, type AuditEvent } from '../server/audit/events.ts';
import type { Session } from '../server/sessions/session.ts';
import { maskedArgs } from '../server/text.ts';
import type { Account } from './account.ts';
import { Character } from './character.ts';
import type { CommandInfo, DefaultObject, MoveType } from './object.ts';

export interface LocationChange {
  from: string | null;
  to: string | null;
  /** ISO-8601 UTC. */
  timestamp: string;
}

export interface AuditSummary {
  name: string;
  id: number;
  current_location: string | null;
  commands_executed: number;
  /** Hours, 2 decimals, including the session running now. */
  total_playtime_hours: number;
  /** Moves kept in the location history (the newest HISTORY_LIMIT). */
  locations_visited: number;
  distinct_rooms_visited: number;
  last_location_change: LocationChange | null;
  last_command_time: string | null;
  online: boolean;
}

/** The attributes an audited character keeps, with the defaults a migrated one reads. */
const DEFAULTS = {
  command_count: 0,
  total_playtime: 0,
  session_start_time: null as string | null,
  last_location: null as string | null,
  last_command_time: null as string | null,
};
type AuditAttribute = keyof typeof DEFAULTS;

/**
 * The attributes the audit keeps on a character: `@audit` reads its counters from them, so
 * writing them by hand forges the audit (only an Admin may, and it is audited with before and after).
 */
export const AUDIT_ATTRIBUTES: ReadonlySet<string> = new Set([...Object.keys(DEFAULTS), 'location_history']);

export const HISTORY_LIMIT = 1000;

/** What the audit tools call a character: an object an account owns, or any audited object (an audited NPC). */
export function isCharacter(obj: DefaultObject): boolean {
  return obj.record.accountId !== null || obj instanceof AuditedCharacter;
}

const seconds = (fromIso: string, to: number): number => Math.max(0, (to - Date.parse(fromIso)) / 1000);

/**
 * A character whose commands, moves and sessions are audited: each hook keeps the base
 * behaviour, states what happened as one audit event (the sinks write the logs) and persists
 * its counters as attributes, so they survive restarts and work for migrated characters.
 */
export class AuditedCharacter extends Character {
  static override readonly typeclassPath: string = 'typeclasses/audited_character.AuditedCharacter';

  /** An audit attribute, or its default when never set (a character swapped in with /noinit). */
  auditValue<K extends AuditAttribute>(key: K): (typeof DEFAULTS)[K] {
    return this.attributes.get(key, DEFAULTS[key]);
  }

  /** The newest HISTORY_LIMIT moves, oldest first (a list attribute: one row per move). */
  locationHistory(): readonly LocationChange[] {
    return this.attributes.list<LocationChange>('location_history');
  }

  override atObjectCreation(): void {
    super.atObjectCreation();
    // location_history starts as the empty list every list attribute is before its first item.
    // Only what is missing is set: run again by @typeclass with hooks on an audited character,
    // the hook must not wipe its counters or its running session.
    for (const [key, value] of Object.entries(DEFAULTS)) if (!this.attributes.has(key)) this.attributes.set(key, value);
    this.emit(auditEvent('character_created', actorOf(null, this), { by: this, target: targetOf(this, 'character') }));
  }

  override atPreMove(destination: DefaultObject, moveType: MoveType): boolean {
    if (!super.atPreMove(destination, moveType)) return false;
    const room = this.location;
    if (room) {
      this.emit(auditEvent('move_leave', this.actor(), { by: this, location: room.key, target: targetOf(destination, 'room'), payload: { move_type: moveType } }));
    }
    return true;
  }

  override atPostMove(source: DefaultObject | null, moveType: MoveType): void {
    super.atPostMove(source, moveType);
    const room = this.location;
    const change: LocationChange = { from: source?.key ?? null, to: room?.key ?? null, timestamp: new Date().toISOString() };
    this.attributes.append('location_history', change, { keep: HISTORY_LIMIT });
    this.attributes.set('last_location', change.to);
    this.emit(auditEvent('move_arrive', this.actor(), { by: this, location: room?.key ?? null, payload: { from: change.from, move_type: moveType } }));
  }

  override atPreCmd(command: CommandInfo, args: string, switches: readonly string[] = []): void {
    super.atPreCmd(command, args, switches);
    const now = new Date().toISOString();
    this.attributes.set('command_count', this.auditValue('command_count') + 1);
    this.attributes.set('last_command_time', now);
    this.emit(
      auditEvent('command', this.actor(), {
        by: this,
        location: this.location?.key ?? null,
        payload: { command: command.key, switches: [...switches], args: maskedArgs(command, args) },
      }),
    );
  }

  override atPrePuppet(account: Account, session: Session): void {
    super.atPrePuppet(account, session);
    this.settleUnfinishedSession();
    this.attributes.set('session_start_time', new Date().toISOString());
    this.emit(auditEvent('puppet', actorOf(session, this), { by: this, location: this.location?.key ?? null, target: targetOf(this, 'character') }));
  }

  override atPostUnpuppet(account: Account, session: Session): void {
    // The room it played in, before the base hook takes it out of the world.
    const room = this.location;
    super.atPostUnpuppet(account, session);
    const started = this.auditValue('session_start_time');
    const sessionSeconds = started ? seconds(started, Date.now()) : 0;
    this.attributes.set('total_playtime', this.auditValue('total_playtime') + sessionSeconds);
    this.attributes.set('session_start_time', null);
    this.emit(
      auditEvent('unpuppet', actorOf(session, this), {
        by: this,
        location: room?.key ?? null,
        target: targetOf(this, 'character'),
        payload: { session_seconds: Math.round(sessionSeconds) },
      }),
    );
  }

  /**
   * A session that never unpuppeted (the server was killed) still has its start time: count it
   * up to the last command it ran, the last moment we know it was there.
   */
  private settleUnfinishedSession(): void {
    const started = this.auditValue('session_start_time');
    const lastSeen = this.auditValue('last_command_time');
    if (!started || !lastSeen || lastSeen < started) return;
    this.attributes.set('total_playtime', this.auditValue('total_playtime') + seconds(started, Date.parse(lastSeen)));
  }

  getAuditSummary(): AuditSummary {
    const history = this.locationHistory();
    const started = this.auditValue('session_start_time');
    const running = started && this.isPuppeted ? seconds(started, Date.now()) : 0;
    const rooms = new Set(history.flatMap((h) => [h.from, h.to]).filter((r): r is string => r !== null));
    return {
      name: this.key,
      id: this.id,
      current_location: this.whereabouts?.key ?? null,
      commands_executed: this.auditValue('command_count'),
      total_playtime_hours: Math.round(((this.auditValue('total_playtime') + running) / 3600) * 100) / 100,
      locations_visited: history.length,
      distinct_rooms_visited: rooms.size,
      last_location_change: history.at(-1) ?? null,
      last_command_time: this.auditValue('last_command_time'),
      online: this.isPuppeted,
    };
  }

  /** Recent moves, newest last. */
  recentMoves(count: number): LocationChange[] {
    return this.locationHistory().slice(-count);
  }

  private actor() {
    return actorOf(this.sessions.values().next().value ?? null, this);
  }

  private emit(event: AuditEvent): void {
    this.world.audit.emit(event);
  }
}
