/**
 * The portal's side of every connection: what a front end (telnet) hands the session stage,
 * carried over the link to whichever game process is attached. The protocol state stays with
 * the front end's connection object, here in the portal, so it outlives any game; this table
 * adds what a new game needs to take a connection over (its snapshot) and holds the lines (and
 * GMCP messages) sent while no game takes them (a reload, a crash), in order, up to a bound.
 */
import type { LinkChannel } from '../link/channel.ts';
import type { ConnectionFacts, ConnectionProtocolError, GameToPortal, LostConnection, Meanwhile, PortalToGame, SessionProtocolError, SessionSnapshot } from '../link/protocol.ts';
import { TokenBucket } from '../net/token_bucket.ts';
import type { SessionLimits } from '../sessions/session_limits.ts';
import type { FrontEndSession, FrontEndSessions } from '../sessions/front_end.ts';
import type { Protocol, SessionTransport } from '../sessions/transport.ts';
import { AddressProtocolErrors, ProtocolErrorLimiter, type ProtocolErrorKind, type ProtocolErrorReport } from '../sessions/protocol_errors.ts';

/** Lines (and GMCP messages) one connection may send while the game reloads; a pasted script still fits. */
export const MAX_WAITING_LINES = 100;

/**
 * What the portal holds for the next game while none is attached, besides the sessions that
 * game knew (always kept: their number is bounded by the connections at the switch): new
 * connections that came and went, and protocol errors of connections refused before they were
 * sessions. Past this, during a long outage under a port scan, they are only counted.
 */
export const MAX_HELD_MEANWHILE = 1000;

type GameChannel = LinkChannel<GameToPortal, PortalToGame>;

interface Connection extends FrontEndSession {
  readonly transport: SessionTransport;
  readonly connectedAt: number;
  /** The attached game (or the one before it) knows this connection. */
  opened: boolean;
  accountId: number | null;
  puppetId: number | null;
  /** GMCP modules the client asked for, as the game last said (null: it never said). */
  supports: string[] | null;
  /** What the client sent while no game took it: lines and GMCP messages, in order. */
  waiting: Array<Extract<PortalToGame, { t: 'line' | 'oob' | 'protocol_error' }>>;
  /** Echo is off: the game asked for a password. */
  secret: boolean;
  /** A reload cut a password question short: the next line is that password, and is dropped. */
  passwordCutShort: boolean;
  /** Client name, width and NEW-ENVIRON facts as last told to the game. */
  toldFacts: string;
  /** The client has answered NEW-ENVIRON (or the telnet layer gave up waiting). */
  environKnown: boolean;
  /** Protocol errors are limited here, at their source, so a flood of them never crosses the link. */
  readonly protocolErrors: ProtocolErrorLimiter;
}

export class PortalSessions implements FrontEndSessions {
  private static nextId = 1;

  /**
   * The per-address connection limits live here, with the sockets; the command rate is the
   * game's (its Session meters every line it is handed).
   */
  constructor(readonly limits: SessionLimits) {}

  private readonly connections = new Map<number, Connection>();
  /** What happened while no game was attached: the next game audits it (MAX_HELD_MEANWHILE). */
  private meanwhile: Meanwhile = { lost: [], connectionErrors: [], untold: 0 };
  private game: GameChannel | null = null;
  /** The portal's last news to everyone (reloading, restarting, down): what a newcomer is told while no game is attached. */
  private news: string | null = null;
  /** What the last snapshot handed a starting game: its connections, and how much of `meanwhile`. */
  private handed = { ids: new Set<number>(), lost: 0, connectionErrors: 0, untold: 0 };
  /**
   * Connections closed before they were sessions (a bad PROXY header): limited here, audited by
   * the game; with no game attached (a reload) a report waits for the next one.
   */
  private readonly connectionErrors = new AddressProtocolErrors((address, protocol, report) => {
    const message: ConnectionProtocolError = { t: 'connection_protocol_error', address, protocol, ...report };
    if (this.game) this.game.send(message);
    else this.holdMeanwhile(this.meanwhile.connectionErrors, message);
  });

  reportConnectionError(address: string, protocol: Protocol, kind: ProtocolErrorKind, excerpt: string): void {
    this.connectionErrors.report(address, protocol, kind, excerpt);
  }

  open(transport: SessionTransport): FrontEndSession {
    const id = PortalSessions.nextId++;
    const table = this;
    const bucket = this.inputBucket(transport.remoteAddress);
    const conn: Connection = {
      id,
      transport,
      connectedAt: Date.now(),
      opened: false,
      accountId: null,
      puppetId: null,
      supports: null,
      waiting: [],
      secret: false,
      passwordCutShort: false,
      toldFacts: '',
      environKnown: !transport.whenEnvironKnown,
      closed: false,
      get remoteAddress() {
        return transport.remoteAddress;
      },
      msg: (text) => table.notice(conn, text),
      receiveLine: (line) => {
        table.receiveLine(conn, line);
        return true;
      },
      // Checked by the game, as a local client's GMCP is; it may hold a password, so never logged.
      receiveOob: (pkg, data) => {
        if (!conn.closed && typeof pkg === 'string') table.toGame(conn, { t: 'oob', id: conn.id, pkg, data });
      },
      // Input that is not a line (a malformed webclient event) is answered from here, so it pays
      // the command rate here, as in one process; lines and GMCP pay it in the game's session.
      admitInput: () => !bucket || bucket.take(),
      connectionLost: (reason) => table.lost(conn, reason),
      // A password the game asked for is never excerpted: the portal knows echo is off.
      reportProtocolError: (kind, excerpt) => conn.protocolErrors.report(kind, conn.secret || conn.passwordCutShort ? null : excerpt),
      protocolErrors: new ProtocolErrorLimiter((report) => table.protocolError(conn, report)),
    };
    this.connections.set(id, conn);
    if (this.game) {
      conn.opened = true;
      conn.toldFacts = factsKey(transport);
      this.game.send({ t: 'open', facts: factsOf(conn) });
    } else if (this.news) {
      // No game to greet it: it would hear nothing at all.
      transport.send(this.news);
    }
    transport.whenEnvironKnown?.(() => {
      conn.environKnown = true;
      if (!this.game || !conn.opened || conn.closed) return;
      conn.toldFacts = factsKey(transport);
      this.game.send({ t: 'facts', id: conn.id, ...changingFacts(transport), environKnown: true });
    });
    return conn;
  }

  /** A game takes lines now (not mid-reload, not down). */
  get attached(): boolean {
    return this.game !== null;
  }

  /** The command rate (MUD_COMMAND_RATE, MUD_COMMAND_BURST) for one connection; null when unlimited. */
  private inputBucket(address: string): TokenBucket | null {
    const { commandRate, commandBurst } = this.limits.settings;
    if (!commandRate || !commandBurst || this.limits.addresses.exempt.has(address)) return null;
    return new TokenBucket(commandRate, commandBurst);
  }

  loggedIn(): Connection[] {
    return [...this.connections.values()].filter((c) => c.accountId !== null);
  }

  get count(): number {
    return this.connections.size;
  }

  /** For `npm run status`: each connection's protocol facts as the portal holds them. */
  describe(): Array<{ id: number; protocol: string; address: string; client: string | null; width: number | null; loggedIn: boolean }> {
    return [...this.connections.values()].map((c) => ({
      id: c.id,
      protocol: c.transport.protocol,
      address: c.transport.remoteAddress,
      client: c.transport.clientName,
      width: c.transport.width ?? null,
      loggedIn: c.accountId !== null,
    }));
  }

  /**
   * No game takes lines from now on (a reload begins, or the game died). A password question
   * cannot survive the switch, so echo comes back on and the answer will not become a command.
   */
  detach(): void {
    this.game = null;
    for (const conn of this.connections.values()) {
      if (!conn.secret) continue;
      conn.secret = false;
      conn.passwordCutShort = true;
      conn.transport.setSecretInput(false);
    }
  }

  /** What a new game takes over (kept as it is until that game is attached, in case it fails). */
  snapshot(): { sessions: SessionSnapshot[]; meanwhile: Meanwhile } {
    const sessions = [...this.connections.values()].map(snapshotOf);
    const { lost, connectionErrors, untold } = this.meanwhile;
    this.handed = { ids: new Set(sessions.map((s) => s.id)), lost: lost.length, connectionErrors: connectionErrors.length, untold };
    return { sessions, meanwhile: { lost: [...lost], connectionErrors: [...connectionErrors], untold } };
  }

  /** A game has taken over the snapshot: lines go to it, the waiting ones first, in order. */
  attach(game: GameChannel): void {
    this.game = game;
    // What came after the snapshot stays for the next game (this one was not told of it).
    this.meanwhile.lost.splice(0, this.handed.lost);
    this.meanwhile.connectionErrors.splice(0, this.handed.connectionErrors);
    this.meanwhile.untold -= this.handed.untold;
    for (const conn of this.connections.values()) {
      // Connected after the snapshot was taken: the game has not heard of it yet.
      if (!this.handed.ids.has(conn.id)) game.send({ t: 'open', facts: factsOf(conn) });
      // Its NEW-ENVIRON answer came while no game was attached: the game's connection_opened waits for it.
      else if (!conn.opened && conn.environKnown) game.send({ t: 'facts', id: conn.id, ...changingFacts(conn.transport), environKnown: true });
      conn.opened = true;
      conn.toldFacts = factsKey(conn.transport);
      for (const message of conn.waiting.splice(0)) game.send(message);
    }
    this.handed = { ids: new Set(), lost: 0, connectionErrors: 0, untold: 0 };
  }

  /** One line to every connection (the portal's own news: reloading, back, down). */
  broadcast(text: string): void {
    this.news = text;
    for (const conn of this.connections.values()) conn.transport.send(text);
  }

  /** The server stops: whoever is still connected is told and closed (the game has gone). */
  closeAll(text: string, reason: string): void {
    for (const conn of this.connections.values()) {
      conn.transport.send(text);
      conn.transport.close(reason);
    }
  }

  /** Output for a connection, from any game process (the old one finishes its commands). */
  fromGame(message: GameToPortal): void {
    if (!('id' in message)) return;
    const conn = this.connections.get(message.id);
    if (!conn) return;
    switch (message.t) {
      case 'text':
        return conn.transport.send(message.text);
      case 'prompt':
        return conn.transport.prompt(message.text);
      case 'ready':
        return conn.transport.readyPrompt?.(message.text);
      case 'secret':
        conn.secret = message.on;
        return conn.transport.setSecretInput(message.on);
      case 'oob':
        return conn.transport.sendOob(message.pkg, message.data);
      case 'close':
        return conn.transport.close(message.reason);
      case 'state':
        conn.accountId = message.accountId;
        conn.puppetId = message.puppetId;
        if (message.supports !== undefined) conn.supports = message.supports;
        return;
    }
  }

  private receiveLine(conn: Connection, line: string): void {
    if (conn.closed) return;
    if (conn.passwordCutShort) {
      conn.passwordCutShort = false;
      conn.transport.send('The game reloaded while it was asking for a password, so that line was not used. Please log in again.');
      return;
    }
    this.toGame(conn, { t: 'line', id: conn.id, line });
  }

  /** What the client sent, to the game, or to wait for the next one (in order, bounded). */
  private toGame(conn: Connection, message: Extract<PortalToGame, { t: 'line' | 'oob' }>): void {
    if (!this.game) {
      if (conn.waiting.length >= MAX_WAITING_LINES) {
        conn.transport.send(`${MAX_WAITING_LINES} of your lines are already waiting for the game to be back; that one was dropped.`);
        return;
      }
      conn.waiting.push(message);
      return;
    }
    // A client that named itself (TTYPE, Core.Hello), resized (NAWS) or agreed to GMCP since: the game hears first.
    const facts = factsKey(conn.transport);
    if (facts !== conn.toldFacts) {
      conn.toldFacts = facts;
      this.game.send({ t: 'facts', id: conn.id, ...changingFacts(conn.transport) });
    }
    this.game.send(message);
  }

  private notice(conn: Connection, text: string): void {
    if (conn.closed) return;
    if (this.game && conn.opened) this.game.send({ t: 'notice', id: conn.id, text });
    else conn.transport.send(text);
  }

  /**
   * To the game, which audits it. With no game attached (a reload) the report is dropped: the
   * limiter has already counted it, and what is suppressed later is reported with a count.
   */
  private protocolError(conn: Connection, report: ProtocolErrorReport): void {
    const message = { t: 'protocol_error' as const, id: conn.id, ...report };
    if (this.game && conn.opened) this.game.send(message);
    // Mid-reload: it waits with the lines (the limiter already let it through, so dropping it
    // would lose the event and hide the next minute's). At most one per kind a minute.
    else conn.waiting.push(message);
  }

  private lost(conn: Connection, reason: string): void {
    if (conn.closed) return;
    conn.protocolErrors.flush();
    conn.closed = true;
    this.connections.delete(conn.id);
    if (this.game) return this.game.send({ t: 'lost', id: conn.id, reason });
    // The next game audits its end, and the protocol errors it met meanwhile (its waiting
    // lines go with it: nobody is there to see them run).
    const protocolErrors = conn.waiting.filter((m): m is SessionProtocolError => m.t === 'protocol_error');
    // Nothing more will come of its NEW-ENVIRON: the game announces it as it stands.
    const { environKnown: _never, ...snapshot } = snapshotOf(conn);
    const gone: LostConnection = { snapshot, reason, protocolErrors };
    // A session a game knew is always kept; one that came and went meanwhile, up to the bound.
    if (conn.opened) this.meanwhile.lost.push(gone);
    else this.holdMeanwhile(this.meanwhile.lost, gone);
  }

  private holdMeanwhile<T>(list: T[], item: T): void {
    if (list.length < MAX_HELD_MEANWHILE) list.push(item);
    else this.meanwhile.untold++;
  }
}

function factsKey(transport: SessionTransport): string {
  return `${transport.clientName ?? ''}\0${transport.width ?? ''}\0${transport.oobEnabled ?? ''}\0${JSON.stringify(transport.environ ?? {})}`;
}

/** What a client may tell about itself after it connected (TTYPE, NAWS, GMCP agreed, NEW-ENVIRON). */
function changingFacts(transport: SessionTransport) {
  const environ = transport.environ && Object.keys(transport.environ).length ? { environ: { ...transport.environ } } : {};
  return { client: transport.clientName, width: transport.width ?? null, oob: transport.oobEnabled, ...environ };
}

function factsOf(conn: Connection): ConnectionFacts {
  const { transport } = conn;
  return {
    id: conn.id,
    protocol: transport.protocol,
    address: transport.remoteAddress,
    connectedAt: conn.connectedAt,
    ...changingFacts(transport),
    ...(conn.environKnown ? {} : { environKnown: false }),
    ...(transport.readyPrompt ? { readyPrompt: true } : {}),
  };
}

function snapshotOf(conn: Connection): SessionSnapshot {
  return { ...factsOf(conn), opened: conn.opened, accountId: conn.accountId, puppetId: conn.puppetId, supports: conn.supports };
}
