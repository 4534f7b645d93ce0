/**
 * The messages between the portal and a game process. The portal owns connections and their
 * protocol state; the game owns everything a session means. Every connection has one id for its
 * whole life, chosen by the portal, so a session keeps its id (and its audit actor) across reloads.
 */
import type { ProtocolErrorKind } from '../sessions/protocol_errors.ts';
import type { Protocol } from '../sessions/transport.ts';

/** What the portal knows about a connection from its protocol alone. */
export interface ConnectionFacts {
  id: number;
  protocol: Protocol;
  address: string;
  client: string | null;
  /** NAWS width, when the client told us. */
  width: number | null;
  /** Epoch ms. */
  connectedAt: number;
  /** What the client said of itself (telnet NEW-ENVIRON, MNES names), when it said anything. */
  environ?: Record<string, string>;
  /**
   * False while the portal still waits for the client's NEW-ENVIRON answer: the game holds the
   * connection's connection_opened until a 'facts' message says it is known. Absent: known.
   */
  environKnown?: boolean;
  /** The client shows the command prompt after output (telnet, /ws); absent: it does not (the webclient). */
  readyPrompt?: boolean;
  /**
   * The client takes out-of-band messages (telnet: it agreed to GMCP). Absent: it may, so
   * the game sends them and the portal drops what the client cannot take.
   */
  oob?: boolean;
}

/**
 * A connection as a new game takes it over: its facts, and who it was logged in as. `opened` is
 * false for one that connected while no game was there (it still needs its banner).
 */
export interface SessionSnapshot extends ConnectionFacts {
  opened: boolean;
  accountId: number | null;
  puppetId: number | null;
  /** The GMCP modules the client asked for (Core.Supports), lower-case; null or absent: it never said. */
  supports?: string[] | null;
}

/** Why a game process is being started, for its audit event. */
export interface ReloadRequest {
  /** The account that asked, or null (shell, signal, crash). */
  by: string | null;
  /** The session `@reload` was typed in, so the audit actor is that session (character, address) and not only the account. */
  sessionId?: number;
  via: '@reload' | 'npm run reload' | 'SIGUSR2' | 'crash';
  /** Epoch ms when it was asked for, so the new game can say how long it took. */
  requestedAt: number;
  /** For a crash: how the previous game ended. */
  cause?: string;
}

/**
 * What happened while no game was attached (a reload, a crash backoff, down), for the next game
 * to audit: connections that ended, each with the protocol errors it met meanwhile; protocol
 * errors of connections closed before they were sessions; and how many of either were past
 * the portal's bound (counted, not kept).
 */
export interface Meanwhile {
  lost: LostConnection[];
  connectionErrors: ConnectionProtocolError[];
  untold: number;
}

export interface LostConnection {
  snapshot: SessionSnapshot;
  reason: string;
  protocolErrors: SessionProtocolError[];
}

export type SessionProtocolError = Extract<PortalToGame, { t: 'protocol_error' }>;
export type ConnectionProtocolError = Extract<PortalToGame, { t: 'connection_protocol_error' }>;

export type PortalToGame =
  /** Builds the game and takes over these connections, and audits what happened meanwhile. */
  | ({ t: 'start'; sessions: SessionSnapshot[]; reload: ReloadRequest | null; counters: ReloadCounters } & Meanwhile)
  | { t: 'open'; facts: ConnectionFacts }
  | { t: 'line'; id: number; line: string }
  /** A notice the front end has for the player (an overlong line), said through the session. */
  | { t: 'notice'; id: number; text: string }
  | { t: 'facts'; id: number; client: string | null; width: number | null; environ?: Record<string, string>; environKnown?: boolean; oob?: boolean }
  /**
   * A GMCP message the client sent (Core.Supports.*, Char.Login.Credentials, ...), as the telnet
   * layer parsed it; the game checks it as it checks a local client's. It may hold a password:
   * nothing on either side logs these.
   */
  | { t: 'oob'; id: number; pkg: string; data: unknown }
  | { t: 'lost'; id: number; reason: string }
  /**
   * A protocol violation met by the portal's protocol layer (it has no audit trail): already
   * limited to one per kind a minute there; the game audits it as `protocol_error`.
   */
  | { t: 'protocol_error'; id: number; kind: ProtocolErrorKind; excerpt: string | null; suppressed: number; closing?: boolean }
  /** The same for a connection the portal closed before it became a session (a bad PROXY header). */
  | { t: 'connection_protocol_error'; address: string; protocol: Protocol; kind: ProtocolErrorKind; excerpt: string | null; suppressed: number; closing?: boolean }
  /** Tell the Admins online (a reload that failed). */
  | { t: 'admins'; text: string }
  /**
   * A reload that failed while this game plays on (the new code did not load): this game audits
   * it, as a `reload` event with success false, since the portal has no audit trail. `error` is
   * already an excerpt (its first line, shortened).
   */
  | { t: 'reload_failed'; reload: ReloadRequest; error: string }
  /** Finish what runs, close the store and the audit trail, exit, unpuppeting nobody. */
  | { t: 'handover' }
  /** Stop for good: everyone is told and unpuppeted, as single-process shutdown does. */
  | { t: 'stop'; reason: string }
  /** `npm run status` asks for the game's figures; `ask` pairs the answer with the question. */
  | { t: 'stats'; ask: number };

export type GameToPortal =
  /** The code on disk imported: this game can take over once asked. */
  | { t: 'loaded'; pid: number }
  /** Could not load or open; `error` is for the Admins and the log. */
  | { t: 'failed'; error: string }
  /** Taking lines now. */
  | { t: 'ready' }
  | { t: 'text'; id: number; text: string }
  | { t: 'prompt'; id: number; text: string }
  /** The command prompt after output (IAC GA / EOR on telnet), for a client that shows one (ConnectionFacts.readyPrompt). */
  | { t: 'ready'; id: number; text: string }
  | { t: 'secret'; id: number; on: boolean }
  | { t: 'oob'; id: number; pkg: string; data: unknown }
  | { t: 'close'; id: number; reason: string }
  /**
   * Who a connection is logged in as now (after a login, logout or take-over), and the GMCP
   * modules it asked for (after a Core.Supports), for the next game's snapshot.
   */
  | { t: 'state'; id: number; accountId: number | null; puppetId: number | null; supports?: string[] | null }
  /** An Admin typed @reload. */
  | { t: 'reload'; by: string; sessionId: number }
  /** The game asks the whole server to stop (@shutdown, SIGTERM to the game process). */
  | { t: 'shutdown'; reason: string }
  /** Handover done: the store and the audit trail are closed; the next game may open them. */
  | { t: 'handed'; unsettled: number }
  /** The answer to the portal's 'stats' with the same `ask`. */
  | { t: 'stats'; ask: number; audit: AuditLag };

/** Counted by the portal, shown by the game's /metrics; a start message's include that start. */
export interface ReloadCounters {
  reloads: number;
  crashRestarts: number;
}

/** What /metrics says of reloads: the portal's counts, and how long this game's start took. */
export interface ReloadStats extends ReloadCounters {
  /** From the request to this game taking over (null: the first game, or one process). */
  lastReloadMs: number | null;
}

/** How far the audit sinks are behind the game, as `npm run status` shows it (and /metrics in full). */
export interface AuditLag {
  /** Per sink: committed events it has not taken yet, and the age of the oldest of them (0: caught up). */
  sinks: Array<{ name: string; events: number; seconds: number; failing: boolean }>;
  /** Commands are refused: the backlog is full (MUD_AUDIT_ON_FULL=refuse). */
  refusing: boolean;
  /** The audit worker has not reported yet (the game just started): no sink figures yet. */
  starting: boolean;
}
