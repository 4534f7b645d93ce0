/**
 * What a session is spoken through, apart from the session itself: the protocol names, what a
 * front end (telnet, the webclient, /ws, the portal's link) implements for a session, and the
 * identity the portal hands a session it re-attaches. The front ends (server/telnet/, server/web/,
 * server/portal/) import these types only, not the session's game side.
 */

/** `ws`: the mudstandards.org WebSocket endpoint (/ws on the web port), whichever subprotocol. */
export type Protocol = 'telnet' | 'telnet+tls' | 'web' | 'ws';

/**
 * What a front end (telnet, web) offers a session: text out, a way to hide typed input, an
 * out-of-band channel (GMCP), and closing. Front ends know bytes and sockets; sessions know
 * neither, so both front ends feed the one pipeline.
 */
export interface SessionTransport {
  readonly protocol: Protocol;
  readonly remoteAddress: string;
  /** The client's name if it told us (telnet TTYPE / GMCP Core.Hello, browser user agent). */
  readonly clientName: string | null;
  send(text: string): void;
  /** Text that waits for an answer on the same line (then GA/EOR on telnet). */
  prompt(text: string): void;
  /**
   * The game is ready for the next command: the command prompt (`MUD_PROMPT`), marked with
   * IAC EOR or GA on telnet. A front end without a prompt line (the browser) leaves it out.
   */
  readyPrompt?(text: string): void;
  /** Hide what the player types (telnet WILL ECHO, a password field in the browser). */
  setSecretInput(secret: boolean): void;
  /** Structured data for clients that take it (GMCP); ignored by those that do not. */
  sendOob(pkg: string, data: unknown): void;
  /** False while the client takes no OOB at all (telnet before DO GMCP): nothing is built for it. */
  readonly oobEnabled?: boolean;
  close(reason: string): void;
  /** The client's screen width (telnet NAWS), when it told us. */
  readonly width?: number | null;
  /**
   * What the client said of itself (telnet NEW-ENVIRON, MNES names: CLIENT_NAME, CLIENT_VERSION,
   * TERMINAL_TYPE, MTTS, CHARSET, and IPADDRESS from a gateway), for @examine and the audit.
   */
  readonly environ?: Readonly<Record<string, string>>;
  /**
   * The front end is still asking the client about itself: `ready` is called once it has
   * answered or given up, so that the connection's audit event can say what it said.
   */
  whenEnvironKnown?(ready: () => void): void;
}

/**
 * A session's identity when the front end chooses it: the portal numbers its connections, so a
 * session keeps its id and its start across a game reload.
 */
export interface SessionIdentity {
  readonly id: number;
  readonly connectedAt: Date;
}
