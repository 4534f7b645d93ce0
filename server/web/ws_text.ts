/**
 * The two mudstandards.org subprotocols that carry text rather than a telnet stream
 * (https://mudstandards.org/websocket/):
 *
 *   terminal.mudstandards.org  UTF-8 text with ANSI colour, both ways. We send text frames; the
 *                              client may send text or binary frames.
 *   gmcp.mudstandards.org      game text (UTF-8, ANSI) in binary frames, both ways; GMCP in text
 *                              frames, "Package.Name <json>", both ways.
 *
 * Input: each message holds one or more lines; a message that does not end in a line break ends
 * its line anyway (a WebSocket message is a unit, unlike a TCP segment). Lines go through the
 * telnet layer's line splitter, so the line cap, the decoding and the control-character hygiene
 * are the telnet port's. Output: what the game says in one event-loop turn goes out as one frame
 * (GMCP messages each in their own, in order); newlines are CR LF, as a terminal wants them.
 */
import WebSocket from 'ws';
import type { FrontEndPorts, FrontEndSession } from '../sessions/front_end.ts';
import { lineExcerpt } from '../sessions/protocol_errors.ts';
import type { SessionTransport } from '../sessions/transport.ts';
import { LineSplitter } from '../telnet/lines.ts';
import { gmcpExcerpt, parseGmcp } from '../telnet/options/gmcp.ts';
import { escapeForLog } from '../text.ts';
import { messageBytes } from './ws_stream.ts';

export type TextSubprotocol = 'terminal.mudstandards.org' | 'gmcp.mudstandards.org';

export interface WsTextLimits {
  maxLineBytes: number;
  /** Bytes `ws` holds for a client that does not read; past it the connection is dropped. */
  maxOutputBytes: number;
}

const LF = Buffer.from('\n');
const endsLine = (bytes: Buffer) => bytes.length > 0 && (bytes[bytes.length - 1] === 0x0a || bytes[bytes.length - 1] === 0x0d);

/** Closes for these reasons are temporary (RFC 6455 1001, "going away"): a client may come back. */
const GOING_AWAY = /shutdown|restart|reboot|reload/i;

/** One terminal or GMCP WebSocket as a session's transport. */
export class WsTextConnection {
  readonly session: FrontEndSession;
  private readonly splitter: LineSplitter;
  private readonly gmcp: boolean;
  /** Frames of this turn, in order: text is merged into the frame before it when that is text too. */
  private pending: Array<{ binary: boolean; data: string; gmcp: boolean }> = [];
  private flushing = false;
  /** The game closed it (its last words still go out), or it was dropped. */
  private closeRequested = false;
  private closing = false;
  /** Why it ended, when the server knows better than "client hangup". */
  private lostReason: string | null = null;
  private readonly log: FrontEndPorts['log']['server'];

  constructor(
    private readonly ws: WebSocket,
    subprotocol: TextSubprotocol,
    transportBase: Pick<SessionTransport, 'remoteAddress' | 'clientName'>,
    ports: FrontEndPorts,
    private readonly limits: WsTextLimits,
  ) {
    this.gmcp = subprotocol === 'gmcp.mudstandards.org';
    this.log = ports.log.server;
    this.splitter = new LineSplitter(limits.maxLineBytes, 'utf8');
    const transport: SessionTransport = {
      protocol: 'ws',
      ...transportBase,
      send: (text) => this.text(text.endsWith('\n') ? text : `${text}\n`),
      prompt: (text) => this.text(text),
      readyPrompt: (text) => this.text(text),
      // Nothing to tell a terminal: it does not echo what the server does not send back.
      setSecretInput: () => {},
      sendOob: (pkg, data) => this.oob(pkg, data),
      oobEnabled: this.gmcp,
      close: (reason) => this.close(reason),
    };
    this.session = ports.sessions.open(transport);
    ws.on('message', (data, isBinary) => this.guard(() => this.onMessage(messageBytes(data), isBinary)));
    ws.on('error', (error: Error & { code?: string }) => (this.lostReason ??= `refused WebSocket frame (${error.code ?? error.message})`));
    ws.on('close', () => this.session.connectionLost(this.lostReason ?? 'client hangup'));
  }

  private onMessage(bytes: Buffer, isBinary: boolean): void {
    if (this.session.closed || this.closeRequested || this.closing) return;
    if (this.gmcp && !isBinary) return this.onGmcp(bytes);
    for (const result of [...this.splitter.push(bytes), ...(endsLine(bytes) ? [] : this.splitter.push(LF))]) {
      if (result.type === 'overlong') {
        this.session.reportProtocolError('line_too_long', lineExcerpt(result.head, `over ${this.limits.maxLineBytes} bytes`));
        this.session.msg(`That line was longer than ${this.limits.maxLineBytes} bytes and was ignored.`);
        continue;
      }
      if (result.invalidUtf8) this.session.reportProtocolError('invalid_utf8', lineExcerpt(result.line, `${result.bytes} bytes`));
      // Once the command rate drops a line, so is the rest of the message, as on the webclient.
      if (!this.session.receiveLine(result.line)) break;
    }
  }

  private onGmcp(bytes: Buffer): void {
    const message = parseGmcp(bytes);
    if (!message) {
      this.session.reportProtocolError('bad_gmcp', gmcpExcerpt(bytes.toString('utf8')));
      // Malformed GMCP still costs the command rate, so a flood of it is throttled like commands.
      this.session.admitInput();
      return;
    }
    this.session.receiveOob(message.pkg, message.data);
  }

  private text(text: string): void {
    const data = text.replace(/\r?\n/g, '\r\n');
    const last = this.pending[this.pending.length - 1];
    if (last && !last.gmcp) last.data += data;
    else this.pending.push({ binary: this.gmcp, data, gmcp: false });
    this.flushSoon();
  }

  private oob(pkg: string, data: unknown): void {
    if (!this.gmcp) return;
    let json: string | undefined;
    try {
      json = data === undefined ? undefined : JSON.stringify(data);
    } catch (error) {
      // Only data that cannot be serialised gets here; the message is dropped, the connection stays.
      return this.log.warn(`WebSocket client #${this.session.id}: could not send GMCP '${escapeForLog(pkg)}': ${escapeForLog(String(error))}`);
    }
    this.pending.push({ binary: false, data: json === undefined ? pkg : `${pkg} ${json}`, gmcp: true });
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.flushing || this.closing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    const frames = this.pending;
    this.pending = [];
    if (this.ws.readyState !== WebSocket.OPEN) return;
    for (const frame of frames) this.ws.send(frame.binary ? Buffer.from(frame.data, 'utf8') : frame.data, { binary: frame.binary });
    // A client that stopped reading: dropped, as telnet drops one past its output cap.
    if (this.ws.bufferedAmount > this.limits.maxOutputBytes) {
      this.closing = true;
      this.lostReason ??= 'output overflow';
      this.ws.terminate();
    }
  }

  /** The game closes the connection: what it said last goes first, then a close frame. */
  private close(reason: string): void {
    if (this.closeRequested || this.closing) return;
    this.closeRequested = true;
    this.lostReason ??= reason;
    setImmediate(() => {
      this.flush();
      this.closing = true;
      if (this.ws.readyState !== WebSocket.OPEN) return;
      // A close reason is at most 123 bytes (RFC 6455 5.5.1).
      this.ws.close(GOING_AWAY.test(reason) ? 1001 : 1000, Buffer.from(reason, 'utf8').subarray(0, 120).toString('utf8').replace(/\ufffd$/, ''));
    });
  }

  /** A bug in handling one message closes that connection only, never the server. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error(`WebSocket client #${this.session.id} failed: ${escapeForLog(String((error as Error)?.stack ?? error))}`);
      this.close(`listener error: ${(error as Error)?.message ?? error}`);
    }
  }
}
