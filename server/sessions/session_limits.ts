/**
 * The limits as players meet them: one clear line for each refusal, and one `rate_limited` audit
 * event per flood of refusals (flood_report.ts), never one per line. Both front ends go through
 * this: a session's command rate is counted where its lines enter the game (Session.receiveLine),
 * the per-address limits where a connection is accepted.
 */
import type { AuditBus } from '../audit/bus.ts';
import { actorOf, auditEvent, type AuditActor } from '../audit/events.ts';
import type { LimitSettings } from '../config_limits.ts';
import { normaliseAddress } from '../net/address.ts';
import { TokenBucket } from '../net/token_bucket.ts';
import { AddressLimits, type LimitKind, type Refusal } from './address_limits.ts';
import { FLOOD_TIMING, FloodReporter, type Flood, type FloodTiming } from './flood_report.ts';
import type { Session } from './session.ts';
import type { Protocol } from './transport.ts';

interface FloodInfo {
  actor: AuditActor;
  limit: LimitKind;
  max: number;
  burst?: number;
}

/** The line a refused client is told, in words a person can act on. */
function refusalLine({ limit, max }: Refusal): string {
  switch (limit) {
    case 'connections':
      return `Too many connections from your address (${max} open at once); close one and try again.`;
    case 'login_screen':
      return `Too many connections from your address are at the login screen (${max}); log in or close one, then try again.`;
    case 'connects_per_minute':
      return `Too many new connections from your address (more than ${max} a minute); wait a minute and try again.`;
    case 'accounts_per_hour':
      return `Too many accounts were created from your address (more than ${max} an hour); try again later.`;
    case 'web_sockets':
      return `Too many connections to this port from your address (${max} open at once); close some and try again.`;
    case 'commands':
      return `You are sending too fast (more than ${max} lines a second); what you sent just now was dropped. Slow down and try again.`;
  }
}

/** How often a flooding session is told to slow down: once a second, not once per dropped line. */
const SLOW_DOWN_EVERY_MS = 1000;

/** Lets a session's input through, or drops it; `Session.admitInput` calls it for every line. */
export type InputGate = (session: Session) => boolean;

export class SessionLimits {
  readonly addresses: AddressLimits;
  private readonly floods: FloodReporter<FloodInfo>;

  constructor(
    readonly settings: Readonly<LimitSettings>,
    audit: Pick<AuditBus, 'emit'>,
    timing: FloodTiming = FLOOD_TIMING,
  ) {
    this.addresses = new AddressLimits(settings);
    this.floods = new FloodReporter((flood) => audit.emit(rateLimited(flood)), timing);
  }

  /**
   * Asked first for every game connection (the staff tools' address bans): null to go on to the
   * limits, else the line to refuse it with.
   */
  refuseAddress: ((address: string, protocol: Protocol) => string | null) | null = null;

  /** Null if a game connection from `address` may open, else the line to tell it before closing. */
  admitConnection(address: string, protocol: Protocol): string | null {
    const banned = this.refuseAddress?.(address, protocol);
    if (banned) return banned;
    return this.refused(this.addresses.admitConnection(address), address, protocol);
  }

  /** Null if this session may create an account now, else the line to tell it before closing. */
  admitAccountCreation(session: Session): string | null {
    return this.refused(this.addresses.admitAccountCreation(session.remoteAddress), session.remoteAddress, session.protocol, session);
  }

  /** A TCP connection to the web port: null if it may stay (then `socketClosed`), else the line. */
  admitSocket(address: string): string | null {
    return this.refused(this.addresses.admitSocket(address), address, 'web');
  }

  socketClosed(address: string): void {
    this.addresses.socketClosed(address);
  }

  opened(session: Session): void {
    this.addresses.track(session.remoteAddress, session);
  }

  /** The session is gone: its flood, if it was in one, is reported now (before connection_closed). */
  closed(session: Session): void {
    this.addresses.untrack(session.remoteAddress, session);
    this.floods.end(`commands:${session.id}`);
  }

  /**
   * The command rate for a new session from `address` (undefined: unlimited). Dropped lines are
   * not run, not queued and not logged; the player is told once a second.
   */
  inputGate(address: string): InputGate | undefined {
    const { commandRate: rate, commandBurst: burst } = this.settings;
    if (!rate || !burst || this.addresses.exempt.has(address)) return undefined;
    const bucket = new TokenBucket(rate, burst);
    let toldAt = -Infinity;
    return (session) => {
      if (bucket.take()) return true;
      this.floods.note(`commands:${session.id}`, () => ({ actor: actorOf(session), limit: 'commands', max: rate, burst }));
      const now = performance.now();
      if (now - toldAt >= SLOW_DOWN_EVERY_MS) {
        toldAt = now;
        session.msg(refusalLine({ limit: 'commands', max: rate, key: '' }));
      }
      return false;
    };
  }

  /** The server is stopping: floods still going are reported while the audit still takes events. */
  close(): void {
    this.floods.endAll();
  }

  private refused(refusal: Refusal | null, address: string, protocol: Protocol, session?: Session): string | null {
    if (!refusal) return null;
    this.floods.note(`${refusal.limit}:${refusal.key}`, () => ({
      actor: session ? actorOf(session) : { account: null, character: null, session_id: null, protocol, remote_addr: normaliseAddress(address) },
      limit: refusal.limit,
      max: refusal.max,
    }));
    return refusalLine(refusal);
  }
}

/**
 * One flood as one audit event, made when it is over (its `ts`): which limit, its value, how much
 * was refused, from when (`since`) and for how long.
 */
function rateLimited({ info, refused, startedAt, lastAt }: Flood<FloodInfo>) {
  const payload: Record<string, unknown> = {
    limit: info.limit,
    max: info.max,
    refused,
    since: new Date(startedAt).toISOString(),
    seconds: Math.round((lastAt - startedAt) / 100) / 10,
  };
  if (info.burst !== undefined) payload.burst = info.burst;
  return auditEvent('rate_limited', info.actor, { payload, success: false });
}
