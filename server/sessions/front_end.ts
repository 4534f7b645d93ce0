/**
 * Where a front end (telnet, web) meets the game: what it is handed at start-up, and what it
 * offers back. Per connection it offers a SessionTransport (session.ts) to the session manager.
 */
import type { GameConfig } from '../config.ts';
import type { GameLogger } from '../logging/index.ts';
import type { ProtocolErrorKind } from './protocol_errors.ts';
import type { SessionLimits } from './session_limits.ts';
import type { Session } from './session.ts';
import type { Protocol, SessionTransport } from './transport.ts';

/** What a front end does with its session: feed it lines, have it say something, report the end. */
export type FrontEndSession = Pick<Session, 'id' | 'closed' | 'remoteAddress' | 'msg' | 'receiveLine' | 'receiveOob' | 'admitInput' | 'connectionLost' | 'reportProtocolError'>;

/**
 * The sessions as a front end sees them: the session manager in one process; in the portal, a
 * stand-in that carries each connection over the link to the game process (server/portal/).
 */
export interface FrontEndSessions {
  open(transport: SessionTransport): FrontEndSession;
  /** Logged-in sessions (MSSP's PLAYERS, /health); only the count is read. */
  loggedIn(): readonly unknown[];
  /** The per-address limits, applied where the sockets are (this process or the portal). */
  readonly limits: SessionLimits;
  /**
   * A protocol violation on a connection that never became a session (a malformed PROXY header
   * closes it first): a `protocol_error` event with its address and protocol, at most one per
   * kind a minute per address (server/sessions/protocol_errors.ts). On a session, call the
   * session's `reportProtocolError` instead.
   */
  reportConnectionError(address: string, protocol: Protocol, kind: ProtocolErrorKind, excerpt: string): void;
}

/** What a front end is handed: the sessions to open, the settings, its loggers. Never the game. */
export interface FrontEndPorts {
  readonly config: GameConfig;
  readonly sessions: FrontEndSessions;
  readonly log: { readonly server: GameLogger; readonly portal: GameLogger };
  /** When the game started (MSSP's UPTIME, /health). */
  readonly startedAt: Date;
}

/** A network front end (telnet, web): it turns connections into sessions. */
export interface FrontEnd {
  readonly name: string;
  /** Starts listening; resolves with the port actually bound (port 0 picks a free one). */
  listen(): Promise<number>;
  /** Stops accepting and drops what is still connected. */
  close(): Promise<void>;
}

export type FrontEndFactory = (ports: FrontEndPorts) => FrontEnd;
