/**
 * The game's end of the link: each portal connection becomes a Session whose transport is the
 * link, so sessions, commands and audit run exactly as behind a local front end. It also keeps
 * the portal told who each connection is logged in as, so that a new game (after a reload or a
 * crash) can re-puppet every session from the portal's snapshot.
 */
import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { AuditBus } from '../audit/bus.ts';
import { actorOf, auditEvent, type AuditEvent } from '../audit/events.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { GameLogger } from '../logging/index.ts';
import type { Session } from '../sessions/session.ts';
import type { SessionTransport } from '../sessions/transport.ts';
import type { SessionManager } from '../sessions/session_manager.ts';
import type { LinkChannel } from './channel.ts';
import type { AuditLag, ConnectionFacts, GameToPortal, PortalToGame, ReloadRequest, ReloadStats, SessionSnapshot } from './protocol.ts';

export interface GameLinkPorts {
  readonly sessions: SessionManager;
  readonly accounts: { byId(id: number): Account | null };
  readonly objects: { get(id: number | null | undefined): DefaultObject | null };
  readonly audit: Pick<AuditBus, 'emit' | 'subscribe'>;
  /** For the portal's 'stats' (npm run status): how far the sinks are behind. */
  readonly auditTrail: Pick<AuditTrail, 'stats' | 'outboxEnabled'>;
  readonly log: GameLogger;
  /**
   * The address bans (staff tools), asked of every connection new to the game: the portal holds
   * the sockets but not the bans, which are the game's. Null to let it in, else the line to refuse it with.
   */
  readonly refuseConnection: (address: string, protocol: string) => string | null;
}

type StartMessage = Extract<PortalToGame, { t: 'start' }>;

/** Events after which a session's login state may have changed (delivered once committed). */
const LOGIN_CHANGES = new Set<AuditEvent['event_type']>(['login_ok', 'logout', 'puppet', 'unpuppet']);

/** How long a handover waits for running commands to finish before it goes ahead anyway. */
const SETTLE_TIMEOUT_MS = 10_000;

/** What the portal tells of a connection as it changes (TTYPE, NAWS, GMCP agreed). */
type LinkTransport = SessionTransport & {
  clientName: string | null;
  width: number | null;
  oobEnabled: boolean | undefined;
  environ: Record<string, string>;
  environReady: (() => void) | null;
};

/** A connection's transport: every call becomes one message, batched per turn by the channel. */
function linkTransport(facts: ConnectionFacts, channel: LinkChannel<PortalToGame, GameToPortal>): LinkTransport {
  const { id } = facts;
  const transport: LinkTransport = {
    protocol: facts.protocol,
    remoteAddress: facts.address,
    clientName: facts.client,
    width: facts.width,
    environ: { ...facts.environ },
    environReady: null,
    // Unknown (a portal that does not say): sent, and dropped by the portal if not wanted.
    oobEnabled: facts.oob,
    send: (text) => channel.send({ t: 'text', id, text }),
    prompt: (text) => channel.send({ t: 'prompt', id, text }),
    setSecretInput: (on) => channel.send({ t: 'secret', id, on }),
    sendOob: (pkg, data) => channel.send({ t: 'oob', id, pkg, data }),
    close: (reason) => channel.send({ t: 'close', id, reason }),
  };
  // The command prompt after output, only for a client that shows one (telnet, /ws), as locally.
  if (facts.readyPrompt) transport.readyPrompt = (text) => channel.send({ t: 'ready', id, text });
  // The portal still waits for the client's NEW-ENVIRON answer: a 'facts' message will say.
  if (facts.environKnown === false) transport.whenEnvironKnown = (ready) => (transport.environReady = ready);
  return transport;
}

export class GameLink {
  private readonly sessions = new Map<number, { session: Session; transport: LinkTransport }>();
  /** For /metrics: the portal's counts as of this game's start, and how long that start took. */
  reloadStats: ReloadStats = { reloads: 0, crashRestarts: 0, lastReloadMs: null };

  constructor(
    private readonly ports: GameLinkPorts,
    private readonly channel: LinkChannel<PortalToGame, GameToPortal>,
  ) {
    ports.audit.subscribe((event) => {
      const id = event.actor.session_id;
      if (id !== null && LOGIN_CHANGES.has(event.event_type)) this.pushState(id);
    });
  }

  get count(): number {
    return this.sessions.size;
  }

  /** Takes over the portal's connections: re-puppeted as they were, or greeted if new. */
  start(message: StartMessage): void {
    for (const snapshot of message.sessions) this.resume(snapshot);
    // Gone while no game was there: resumed, then lost, so their unpuppet is audited as usual,
    // and so are the protocol errors they met before they went.
    for (const { snapshot, reason, protocolErrors } of message.lost) {
      this.resume(snapshot);
      for (const error of protocolErrors) this.handle(error);
      this.handle({ t: 'lost', id: snapshot.id, reason });
    }
    for (const error of message.connectionErrors) this.handle(error);
    if (message.untold) {
      this.ports.log.warn(
        `While no game was attached, ${message.untold} connection(s) or protocol error(s) were past the portal's bound of what it holds for the next game; they are not in the audit trail.`,
      );
    }
    const { reload } = message;
    const durationMs = reload ? Date.now() - reload.requestedAt : null;
    this.reloadStats = { ...message.counters, lastReloadMs: durationMs };
    if (reload) this.auditReload(reload, { success: true, payload: { duration_ms: durationMs, sessions: message.sessions.length, ...(reload.cause ? { cause: reload.cause } : {}) } });
  }

  /** One message about one connection. */
  handle(message: PortalToGame): void {
    switch (message.t) {
      case 'open': {
        if (this.refused(message.facts)) return;
        const transport = linkTransport(message.facts, this.channel);
        const session = this.ports.sessions.open(transport, { id: message.facts.id, connectedAt: new Date(message.facts.connectedAt) });
        this.sessions.set(message.facts.id, { session, transport });
        return;
      }
      case 'line':
        this.sessions.get(message.id)?.session.receiveLine(message.line);
        return;
      case 'notice':
        this.sessions.get(message.id)?.session.msg(message.text);
        return;
      case 'facts': {
        const entry = this.sessions.get(message.id);
        if (!entry) return;
        Object.assign(entry.transport, { clientName: message.client, width: message.width });
        if (message.oob !== undefined) entry.transport.oobEnabled = message.oob;
        if (message.environ) entry.transport.environ = { ...message.environ };
        if (message.environKnown) {
          const ready = entry.transport.environReady;
          entry.transport.environReady = null;
          ready?.();
        }
        return;
      }
      case 'protocol_error': {
        const { kind, excerpt, suppressed, closing } = message;
        this.sessions.get(message.id)?.session.recordProtocolError({ kind, excerpt, suppressed, closing });
        return;
      }
      case 'connection_protocol_error': {
        const { address, protocol, kind, excerpt, suppressed, closing } = message;
        this.ports.sessions.recordConnectionError(address, protocol, { kind, excerpt, suppressed, closing });
        return;
      }
      case 'oob': {
        const entry = this.sessions.get(message.id);
        if (!entry) return;
        const before = entry.session.oobSupports.list()?.join(' ');
        entry.session.receiveOob(message.pkg, message.data);
        // A Core.Supports changed what the client takes: the portal keeps it for the next game.
        if (entry.session.oobSupports.list()?.join(' ') !== before) this.pushState(message.id);
        return;
      }
      case 'lost': {
        const entry = this.sessions.get(message.id);
        this.sessions.delete(message.id);
        entry?.session.connectionLost(message.reason);
        return;
      }
      case 'admins':
        for (const { session } of this.sessions.values()) if (session.account?.hasPermission('Admin')) session.msg(message.text);
        return;
      case 'reload_failed':
        this.auditReload(message.reload, { success: false, payload: { duration_ms: Date.now() - message.reload.requestedAt, error: message.error } });
        return;
      case 'stats':
        this.channel.send({ t: 'stats', ask: message.ask, audit: auditLag(this.ports.auditTrail) });
        return;
      default:
        return;
    }
  }

  /**
   * Resolves once no session has a command running or queued (one waiting for the player's
   * answer counts as settled), and what those commands said has been committed and sent.
   * Resolves with how many were still busy if that takes longer than SETTLE_TIMEOUT_MS.
   */
  async settle(): Promise<number> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    const busy = () => [...this.sessions.values()].filter(({ session }) => !session.closed && !session.settled).length;
    while (busy() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
    // The turn's COMMIT and the replies it releases run in the check phase: let them go first.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    for (const id of this.sessions.keys()) this.pushState(id);
    return busy();
  }

  /**
   * One `reload` event, done or failed. Its actor is the session `@reload` was typed in when
   * this game has it (re-attached after a reload), so it names the character and the address
   * too; else the account alone (shell, signal, crash; or the Admin left meanwhile), with the
   * session id when there was one.
   */
  private auditReload(reload: ReloadRequest, outcome: { success: boolean; payload: Record<string, unknown> }): void {
    const typedIn = reload.sessionId === undefined ? null : (this.sessions.get(reload.sessionId)?.session ?? null);
    // Still the Admin who asked (not logged out, or into someone else, meanwhile).
    const session = typedIn?.account?.name === reload.by ? typedIn : null;
    const actor = session ? actorOf(session) : { account: reload.by, character: null, session_id: reload.sessionId ?? null, protocol: null, remote_addr: null };
    this.ports.audit.emit(auditEvent('reload', actor, { success: outcome.success, by: session?.puppet, payload: { via: reload.via, ...outcome.payload } }));
  }

  private resume(snapshot: SessionSnapshot): void {
    const transport = linkTransport(snapshot, this.channel);
    const identity = { id: snapshot.id, connectedAt: new Date(snapshot.connectedAt) };
    let session: Session;
    if (!snapshot.opened) {
      if (this.refused(snapshot)) return;
      session = this.ports.sessions.open(transport, identity);
    } else {
      const account = snapshot.accountId === null ? null : this.ports.accounts.byId(snapshot.accountId);
      const puppet = account ? this.ports.objects.get(snapshot.puppetId) : null;
      session = this.ports.sessions.resume(transport, identity, account, puppet, snapshot.supports);
    }
    this.sessions.set(snapshot.id, { session, transport });
  }

  /** A banned address is told why and closed before it is a session, as a local front end does. */
  private refused(facts: ConnectionFacts): boolean {
    const line = this.ports.refuseConnection(facts.address, facts.protocol);
    if (!line) return false;
    this.channel.send({ t: 'text', id: facts.id, text: line });
    this.channel.send({ t: 'close', id: facts.id, reason: 'banned' });
    return true;
  }

  private pushState(id: number): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    const { session } = entry;
    this.channel.send({ t: 'state', id, accountId: session.account?.id ?? null, puppetId: session.puppet?.id ?? null, supports: session.oobSupports.list() });
  }
}

/** The audit figures `npm run status` shows: the same per-sink lag as /metrics' mud_audit_queue_depth and mud_audit_sink_lag_seconds. */
function auditLag(trail: GameLinkPorts['auditTrail']): AuditLag {
  const stats = trail.stats();
  return {
    sinks: stats.sinks.map((s) => ({ name: s.name, events: s.lagEvents, seconds: s.lagSeconds, failing: s.failing })),
    refusing: stats.refusing,
    // Sinks are on but the worker has not said where it is yet.
    starting: trail.outboxEnabled && stats.sinks.length === 0,
  };
}
