/**
 * Public types and limits of TelnetConnection. Which options we offer and
 * accept is described per option under options/.
 */
import type { Duplex } from 'node:stream';
import type { ProtocolErrorKind } from '../sessions/protocol_errors.ts';

/**
 * What a telnet stream runs over: a TCP socket, or any byte stream that looks like one (the
 * telnet.mudstandards.org WebSocket subprotocol, server/web/ws_stream.ts). TCP's tuning calls
 * are optional; `remoteAddress` is the client's.
 */
export type TelnetSocket = Duplex & {
  readonly remoteAddress?: string | undefined;
  setNoDelay?(noDelay?: boolean): unknown;
  setKeepAlive?(enable?: boolean, initialDelay?: number): unknown;
};

export interface TelnetLimits {
  /** Longest input line in bytes; longer lines are discarded with an 'overlong' event. */
  maxLineBytes: number;
  /**
   * Backstop on input held undecoded/unsplit (partial line + partial
   * subnegotiation); exceeding it drops the connection ('input overflow').
   * Input is processed synchronously per packet, so with sane settings
   * (>= maxLineBytes + maxSubnegotiation) this never triggers.
   */
  maxInputBuffer: number;
  /** Longest subnegotiation body; longer ones are discarded. */
  maxSubnegotiation: number;
  /**
   * Cap on output not yet taken by the kernel (socket.writableLength plus
   * zlib and held bytes); exceeding it drops the connection ('output overflow').
   */
  maxOutputBuffer: number;
}

export const DEFAULT_LIMITS: Readonly<TelnetLimits> = Object.freeze({
  maxLineBytes: 4096,
  maxInputBuffer: 64 * 1024,
  maxSubnegotiation: 8 * 1024,
  maxOutputBuffer: 1024 * 1024,
});

/** Merge with defaults; reject nonsense so a typo cannot silently disable a cap. */
export function resolveLimits(partial: Partial<TelnetLimits> = {}): Readonly<TelnetLimits> {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`telnet limit ${key} must be a positive integer, got ${value}`);
  }
  return Object.freeze(limits);
}

export interface TelnetConnectionOptions {
  limits?: Partial<TelnetLimits>;
  /** MSSP table; WILL MSSP is only offered when this is given. */
  mssp?: () => Record<string, string | string[]>;
  /** How long close() waits for a graceful end before destroying the socket (default 2000 ms). */
  closeTimeoutMs?: number;
  /** The client's address when it is not the socket's (told by a PROXY-protocol gateway). */
  remoteAddress?: string;
  /** The peer is a MUD_PROXY_FROM gateway: its NEW-ENVIRON IPADDRESS is believed. */
  fromGateway?: boolean;
  /** Looks at the first bytes the client sends; a reason drops the connection at once. */
  refuseFirst?: (chunk: Buffer) => string | null;
  /** How long whenEnvironKnown waits for a client that never answers NEW-ENVIRON (default 2000 ms). */
  environWaitMs?: number;
}

export interface TelnetConnectionEvents {
  /** One decoded input line, without its terminator. */
  line: [line: string];
  /** A line over maxLineBytes was discarded (up to its terminator). */
  overlong: [];
  /** A protocol violation, for the audit (server/sessions/protocol_errors.ts); the excerpt is short and safe. */
  protocolError: [kind: ProtocolErrorKind, excerpt: string];
  /** Incoming GMCP message; malformed JSON never gets here. */
  gmcp: [pkg: string, data: unknown];
  naws: [width: number, height: number];
  /** First TTYPE reply (the client name under MTTS). */
  ttype: [clientName: string];
  /** NEW-ENVIRON variables the client told (all of them so far). */
  environ: [environ: Record<string, string>];
  /** Exactly once per connection, whatever the cause. */
  close: [reason: string];
}
