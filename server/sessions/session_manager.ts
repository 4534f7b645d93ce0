import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { AuditBus } from '../audit/bus.ts';
import { actorOf, auditEvent, targetOf } from '../audit/events.ts';
import { banner } from './login.ts';
import { AddressProtocolErrors, connectionActor, protocolErrorEvent, type ProtocolErrorKind, type ProtocolErrorReport } from './protocol_errors.ts';
import { Session, type SessionPorts } from './session.ts';
import type { Protocol, SessionIdentity, SessionTransport } from './transport.ts';
import type { SessionLimits } from './session_limits.ts';

/** What the session stage is handed: the sessions' own ports, the audit bus, the limits. */
export interface SessionManagerPorts extends SessionPorts {
  readonly audit: Pick<AuditBus, 'emit'>;
  readonly limits: SessionLimits;
}

/** How many accounts a shared-address notice names; the rest are counted. */
const MAX_NAMED = 5;

/** Every live session, and the puppet/unpuppet protocol with its hooks in Evennia's order. */
export class SessionManager {
  private readonly sessions = new Set<Session>();
  /** Sessions whose connection_opened waits for the client's NEW-ENVIRON answer. */
  private readonly pendingOpened = new Map<Session, () => void>();
  /** Protocol errors of connections without a session, limited per address (protocol_errors.ts). */
  private readonly connectionErrors = new AddressProtocolErrors((address, protocol, report) => this.recordConnectionError(address, protocol, report));

  constructor(private readonly ports: SessionManagerPorts) {}

  reportConnectionError(address: string, protocol: Protocol, kind: ProtocolErrorKind, excerpt: string): void {
    this.connectionErrors.report(address, protocol, kind, excerpt);
  }

  /** One already limited where the connection was (the portal, over the link). */
  recordConnectionError(address: string, protocol: string, report: ProtocolErrorReport): void {
    this.ports.audit.emit(protocolErrorEvent(connectionActor(address, protocol), report));
  }

  /** The game stops or hands over: the counts held back are reported while the audit takes them. */
  flushConnectionErrors(): void {
    this.connectionErrors.flush();
  }

  /**
   * The command rate and per-address limits. A front end asks `limits.admitConnection` before
   * it opens a session, and refuses the connection with the line it returns.
   */
  get limits(): SessionLimits {
    return this.ports.limits;
  }

  get count(): number {
    return this.sessions.size;
  }

  all(): Session[] {
    return [...this.sessions];
  }

  /** Sessions that have logged in, in the order they connected. */
  loggedIn(): Session[] {
    return this.all().filter((s) => s.isLoggedIn);
  }

  /** A front end has a new connection: make its session and greet it. */
  open(transport: SessionTransport, identity?: SessionIdentity): Session {
    const gate = this.ports.limits.inputGate(transport.remoteAddress);
    const session = new Session(this.ports, transport, (lost, reason) => this.remove(lost, reason), gate, identity);
    this.sessions.add(session);
    this.ports.limits.opened(session);
    this.announceOpened(session);
    session.msg(banner(this.ports.config.serverName));
    return session;
  }

  /**
   * connection_opened, with what the client said of itself (NEW-ENVIRON) once the front end
   * knows it; at the latest before the session's first input or its end, so the trail's order
   * stays connection_opened first.
   */
  private announceOpened(session: Session): void {
    const { transport } = session;
    let announced = false;
    const announce = () => {
      if (announced) return;
      announced = true;
      session.beforeInput = null;
      this.pendingOpened.delete(session);
      const environ = transport.environ;
      const payload = environ && Object.keys(environ).length ? { client: { ...environ } } : undefined;
      this.ports.audit.emit(auditEvent('connection_opened', actorOf(session), payload ? { payload } : {}));
    };
    if (!transport.whenEnvironKnown) return announce();
    session.beforeInput = announce;
    this.pendingOpened.set(session, announce);
    transport.whenEnvironKnown(announce);
  }

  /**
   * A connection the portal kept across a game reload comes back as it was: same id, account
   * and puppet, with no connection_opened, banner or puppet hooks. A reload is not a logout:
   * the character's session clock (session_start_time) simply goes on (Evennia's portal syncs
   * its sessions back to the reloaded server the same way, without at_post_puppet).
   */
  resume(
    transport: SessionTransport,
    identity: SessionIdentity,
    account: Account | null,
    character: DefaultObject | null,
    /** The GMCP modules the client had asked for (Core.Supports), before anything is sent. */
    oobModules: readonly string[] | null = null,
  ): Session {
    const gate = this.ports.limits.inputGate(transport.remoteAddress);
    const session = new Session(this.ports, transport, (lost, reason) => this.remove(lost, reason), gate, identity);
    session.oobSupports.restore(oobModules);
    this.sessions.add(session);
    if (account) {
      session.puppet = character;
      session.loggedIn(account);
      character?.sessions.add(session);
    }
    return session;
  }

  /**
   * Logs `session` in as `account` and puppets `character`. A character puppeted elsewhere is
   * taken over: the old connection is told, unpuppeted (hooks run) and closed first.
   */
  puppet(session: Session, account: Account, character: DefaultObject): void {
    for (const other of [...character.sessions]) {
      if (other === session) continue;
      other.msg('Your character was taken over from another connection. Goodbye.');
      this.logout(other, 'taken over');
      other.disconnect();
    }
    this.ports.units.unitOfWork(() => {
      account.recordLogin(session.remoteAddress, session.protocol);
      character.atPrePuppet(account, session);
      session.puppet = character;
      session.loggedIn(account);
      character.sessions.add(session);
      character.atPostPuppet(session);
    });
    this.noticeSharedAddress(session, account);
  }

  /** Several accounts playing from one address at once: flagged for the operators, not refused. */
  private noticeSharedAddress(session: Session, account: Account): void {
    const others = new Set<string>();
    for (const s of this.sessions) {
      if (s.account && s.account.id !== account.id && s.remoteAddress === session.remoteAddress) others.add(s.account.name);
    }
    if (!others.size) return;
    // Named up to a few: a busy shared address (a school, a NAT) must not make each line longer.
    const accounts = [account.name, ...[...others].slice(0, MAX_NAMED - 1)];
    this.ports.audit.emit(auditEvent('dual_address', actorOf(session), { payload: { accounts, count: others.size + 1 } }));
  }

  /** Unpuppets (with hooks) and logs out; the connection itself stays open. */
  logout(session: Session, reason: string): void {
    const { account, puppet } = session;
    if (!account) return;
    this.ports.units.unitOfWork(() => {
      if (puppet) {
        puppet.atPreUnpuppet(session);
        puppet.sessions.delete(session);
        session.puppet = null;
        puppet.atPostUnpuppet(account, session);
      }
      this.ports.audit.emit(
        auditEvent('logout', actorOf(session, puppet), { by: puppet, target: targetOf(account), payload: { reason } }),
      );
      session.account = null;
    });
  }

  /**
   * Ends every game session of `account` but `except` (the one that changed the password): each
   * is told, unpuppeted and closed. After a break-in, changing the password must also throw out
   * whoever is still logged in with the old one. Returns how many were ended.
   */
  endSessionsOf(account: Account, except: Session | null, message: string, reason: string): number {
    let ended = 0;
    for (const other of this.loggedIn()) {
      if (other === except || other.account?.id !== account.id) continue;
      other.msg(message);
      this.logout(other, reason);
      other.disconnect();
      ended++;
    }
    return ended;
  }

  /** The connection is gone (quit, dropped link, shutdown): unpuppet and forget it. */
  remove(session: Session, reason: string): void {
    if (!this.sessions.delete(session)) return;
    this.pendingOpened.get(session)?.();
    this.ports.limits.closed(session);
    this.logout(session, reason);
    this.ports.audit.emit(auditEvent('connection_closed', actorOf(session, null), { payload: { reason } }));
  }

  /** The session puppeting the character named `name`, if one is online. */
  findOnline(name: string): Session | null {
    const wanted = name.toLowerCase();
    return this.loggedIn().find((s) => s.puppet?.key.toLowerCase() === wanted) ?? null;
  }
}
