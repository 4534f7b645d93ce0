/**
 * Protocol violations as audit events (`protocol_error`): what a client sent that no honest client
 * sends (an oversized or cut-short telnet subnegotiation, bytes that are not UTF-8, a line over the
 * cap, GMCP that is not "Package.Name json", a WebSocket frame the server refused, a bad PROXY
 * header). Each front end calls one function, `reportProtocolError(kind, excerpt)` on its
 * session; the limiter below keeps a flood of them from filling the trail: one event per kind a
 * minute for each connection, the rest counted and reported with the next event of that kind, or
 * when the connection ends.
 *
 * The excerpt is short and never a secret: a line typed while the game asked for a password is
 * never excerpted, and of any other line only its first word is (`connect Bob hunter2`, sent
 * over the cap, is recorded as `connect`). The text sinks escape it like all player text.
 */
import { auditEvent, type AuditActor, type AuditEvent } from '../audit/events.ts';
import { normaliseAddress } from '../net/address.ts';
import { shorten } from '../text.ts';
import type { Protocol } from './transport.ts';

export type ProtocolErrorKind =
  /** IAC SB … longer than the subnegotiation cap (its body was dropped). */
  | 'subneg_oversized'
  /** IAC SB … cut short by another telnet command before IAC SE. */
  | 'subneg_truncated'
  /** A line (or a frame of text) that is not valid UTF-8. */
  | 'invalid_utf8'
  /** A line over the line cap (4096 bytes). */
  | 'line_too_long'
  /** GMCP whose package name or JSON is malformed. */
  | 'bad_gmcp'
  /** A WebSocket frame the server refused (too big, not masked, invalid UTF-8 in a text frame…). */
  | 'ws_frame_refused'
  /** A malformed HAProxy PROXY header (v1 or v2). */
  | 'bad_proxy_header';

/** One minute: at most one event of a kind per connection in it. */
export const PROTOCOL_ERROR_EVERY_MS = 60_000;
/** Characters of an excerpt; longer ones end in `…`. */
export const MAX_EXCERPT = 60;

/**
 * What one audit event says: the kind, its excerpt (null: withheld, typed at a password prompt)
 * and how many of that kind were held back before it. `closing`: the connection ended with
 * `suppressed` errors of this kind not yet reported (no excerpt then).
 */
export interface ProtocolErrorReport {
  kind: ProtocolErrorKind;
  excerpt: string | null;
  suppressed: number;
  closing?: boolean;
}

/** The once-a-minute rule for one connection, wherever its protocol state is (game or portal). */
export class ProtocolErrorLimiter {
  private readonly kinds = new Map<ProtocolErrorKind, { at: number; suppressed: number }>();

  constructor(
    private readonly emit: (report: ProtocolErrorReport) => void,
    private readonly now: () => number = Date.now,
  ) {}

  report(kind: ProtocolErrorKind, excerpt: string | null): void {
    const now = this.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.at < PROTOCOL_ERROR_EVERY_MS) {
      seen.suppressed++;
      return;
    }
    this.kinds.set(kind, { at: now, suppressed: 0 });
    this.emit({ kind, excerpt: excerpt === null ? null : shorten(excerpt, MAX_EXCERPT), suppressed: seen?.suppressed ?? 0 });
  }

  /** The connection ends: every kind with errors held back is reported once more, with their count. */
  flush(): void {
    for (const [kind, seen] of this.kinds) {
      if (seen.suppressed > 0) this.emit({ kind, excerpt: null, suppressed: seen.suppressed, closing: true });
    }
    this.kinds.clear();
  }
}

/**
 * What may be recorded of a GMCP message's package name: the characters a package name is made
 * of, up to 40; `Char.Login.Credentials{"password":…}` (no space) or a bare `{"password":…}`
 * leaves nothing of the body.
 */
export function gmcpPackageName(text: string): string {
  return /^[A-Za-z0-9_.-]{1,40}/.exec(text)?.[0] ?? '(no package name)';
}

/**
 * What may be recorded of a line the client typed: its first word only (a command name, never
 * its arguments, which may be a password), and `note` (its size). A line of one word alone
 * gets only the note: it may be the answer to a password question, typed ahead of the question
 * (the front end meets the line before the game has asked, and under the portal before the
 * portal knows echo is off), and a password is one word.
 */
export function lineExcerpt(line: string, note: string): string {
  // Two linear scans, no backtracking: the line may be megabytes long.
  const first = /^\s*(\S+)/.exec(line);
  const word = first && /\S/.test(line.slice(first[0].length)) ? first[1]!.slice(0, 24) : '';
  return `${word}${word ? ' ' : ''}(${note})`;
}

/**
 * The same rule for connections that never became a session (a bad PROXY header closes the
 * connection before any), per address and protocol: one event per kind a minute for each. At most
 * `maxAddresses` are remembered; the oldest is forgotten first, its held-back count reported.
 */
export class AddressProtocolErrors {
  private readonly byAddress = new Map<string, ProtocolErrorLimiter>();

  constructor(
    private readonly emit: (address: string, protocol: Protocol, report: ProtocolErrorReport) => void,
    private readonly maxAddresses = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  report(rawAddress: string, protocol: Protocol, kind: ProtocolErrorKind, excerpt: string): void {
    // One client, one counter: `::ffff:1.2.3.4` is 1.2.3.4, as everywhere (server/net/address.ts).
    const address = normaliseAddress(rawAddress);
    const key = `${protocol} ${address}`;
    let limiter = this.byAddress.get(key);
    if (!limiter) {
      limiter = new ProtocolErrorLimiter((report) => this.emit(address, protocol, report), this.now);
      this.byAddress.set(key, limiter);
      if (this.byAddress.size > this.maxAddresses) {
        const [oldest, old] = this.byAddress.entries().next().value!;
        this.byAddress.delete(oldest);
        old.flush();
      }
    }
    limiter.report(kind, excerpt);
  }

  /** The server stops: what is held back is reported. */
  flush(): void {
    for (const limiter of this.byAddress.values()) limiter.flush();
    this.byAddress.clear();
  }
}

/** Who a connection without a session is, in the audit: its address and protocol only. */
export function connectionActor(address: string, protocol: string): AuditActor {
  return { account: null, character: null, session_id: null, protocol, remote_addr: normaliseAddress(address) };
}

/** The audit event of one report: the session's actor, or for a connection without one, its address and protocol. */
export function protocolErrorEvent(actor: AuditActor, report: ProtocolErrorReport): AuditEvent {
  const payload: Record<string, unknown> = { kind: report.kind, suppressed: report.suppressed };
  if (report.closing) payload.closing = true;
  else if (report.excerpt === null) payload.excerpt_withheld = true;
  else payload.excerpt = report.excerpt;
  return auditEvent('protocol_error', actor, { payload, success: false });
}
