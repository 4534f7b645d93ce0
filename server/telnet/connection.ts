/**
 * TelnetConnection: socket glue around the pure pieces
 * (TelnetParser -> OptionNegotiator / subnegotiation handlers / LineSplitter,
 * and OutputPipeline for everything we send).
 *
 * Robustness rules:
 *  - every socket 'error' is handled; 'close' is emitted exactly once;
 *  - input state is bounded (line cap, subnegotiation cap, maxInputBuffer
 *    backstop), output is bounded by maxOutputBuffer (see output.ts);
 *  - an exception thrown by a game listener closes this connection
 *    ("listener error: ...") instead of escaping into the socket's event
 *    handler and taking the whole server down.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { CMD, IAC, OPT, GA, EOR_CMD, type NegotiationVerb } from './constants.ts';
import { TelnetParser, type TelnetEvent } from './parser.ts';
import { LineSplitter } from './lines.ts';
import { OptionNegotiator, type Side } from './negotiation.ts';
import { OutputPipeline } from './output.ts';
import { charsetRequest, encodeText, gmcpFrame, msspFrame, ttypeSend } from './encode.ts';
import { answerCharsetRequest, cleanName, isUtf8Name, parseCharset, parseGmcp, parseMtts, parseNaws, parseTtypeIs } from './subneg.ts';
import { MttsTracker } from './ttype.ts';
import { LOCAL_OK, REMOTE_OK, resolveLimits, type TelnetConnectionEvents, type TelnetConnectionOptions, type TelnetLimits } from './types.ts';

export { DEFAULT_LIMITS, type TelnetConnectionEvents, type TelnetConnectionOptions, type TelnetLimits } from './types.ts';

export class TelnetConnection extends EventEmitter<TelnetConnectionEvents> {
  readonly remoteAddress: string;
  readonly limits: Readonly<TelnetLimits>;
  width = 80;
  height = 24;
  clientName: string | null = null;
  terminalTypes: string[] = [];
  mtts: number | null = null;
  ansi = true;
  utf8 = true;

  private readonly socket: Socket;
  private readonly parser: TelnetParser;
  private readonly splitter: LineSplitter;
  private readonly neg: OptionNegotiator;
  private readonly out: OutputPipeline;
  private readonly msspSource: (() => Record<string, string | string[]>) | undefined;
  private readonly closeTimeoutMs: number;
  private readonly ttype = new MttsTracker();
  private started = false;
  private closing = false;
  private closeEmitted = false;
  private reason: string | null = null;
  private charsetPending = false;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(socket: Socket, options: TelnetConnectionOptions = {}) {
    super();
    this.socket = socket;
    this.limits = resolveLimits(options.limits);
    this.msspSource = options.mssp;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2000;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.parser = new TelnetParser(this.limits.maxSubnegotiation);
    this.splitter = new LineSplitter(this.limits.maxLineBytes, 'utf8');
    this.out = new OutputPipeline(
      socket,
      this.limits.maxOutputBuffer,
      () => this.abort('output overflow'),
      (err) => this.abort(`compression error: ${err.message}`),
    );
    this.neg = new OptionNegotiator({
      send: (verb, opt) => this.out.write(Buffer.from([IAC, verb, opt])),
      acceptLocal: (opt) => LOCAL_OK.has(opt) || (opt === OPT.MSSP && this.msspSource !== undefined),
      acceptRemote: (opt) => REMOTE_OK.has(opt),
      changed: (side, opt, enabled) => this.optionChanged(side, opt, enabled),
    });

    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.reason ??= `socket error: ${err.code ?? err.message}`;
      this.closing = true;
    });
    socket.on('close', () => this.finish());
    socket.on('end', () => this.close('client hangup'));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    try {
      // Small interactive writes should not wait for Nagle; keepalive reaps
      // peers that vanished without a FIN.
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
    } catch {
      // Socket already gone; the 'close' path below handles it.
    }
    if (socket.destroyed) {
      this.closing = true;
      this.reason = 'client hangup';
      process.nextTick(() => this.finish());
    }
  }

  /** Send the initial offers (one packet). */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.out.batched(() => this.sendOffers());
  }

  private sendOffers(): void {
    this.neg.requestRemote(OPT.TTYPE, true);
    this.neg.requestRemote(OPT.NAWS, true);
    // DO BINARY (RFC 856): Debian's telnet then sends our players' UTF-8
    // 8-bit clean (without it a typed "☃" arrives mangled). We do not offer
    // WILL BINARY: a telnet client that agrees switches its terminal's output
    // processing off (no OPOST), so its local echo of Enter moves down without
    // a carriage return and every reply is stair-stepped. Our output is UTF-8
    // either way; a client that asks with DO BINARY still gets it (LOCAL_OK).
    this.neg.requestRemote(OPT.BINARY, true);
    this.neg.requestLocal(OPT.EOR, true);
    this.neg.requestLocal(OPT.CHARSET, true);
    if (this.msspSource) this.neg.requestLocal(OPT.MSSP, true);
    this.neg.requestLocal(OPT.GMCP, true);
    this.neg.requestLocal(OPT.MCCP2, true);
  }

  /** Game output: "\n" -> CR LF, IAC doubled, colour stripped when !ansi. */
  write(text: string): void {
    if (this.closing) return;
    this.out.write(encodeText(text, { ansi: this.ansi, utf8: this.utf8 }));
  }

  /**
   * Write a prompt (no newline) and mark its end: IAC EOR when the client
   * agreed to EOR (RFC 885); otherwise IAC GA (RFC 854), unless the client
   * asked us to suppress go-ahead (RFC 858). We never offer SGA ourselves.
   */
  prompt(text: string): void {
    if (this.closing) return;
    const body = encodeText(text, { ansi: this.ansi, utf8: this.utf8 });
    let mark: Buffer | null = null;
    if (this.neg.isLocal(OPT.EOR)) mark = Buffer.from([IAC, EOR_CMD]);
    else if (!this.neg.isLocal(OPT.SGA)) mark = Buffer.from([IAC, GA]);
    this.out.write(mark ? Buffer.concat([body, mark]) : body);
  }

  /** IAC WILL ECHO: client stops local echo (password prompts). Not awaited. */
  echoOff(): void {
    if (!this.closing) this.neg.forceLocal(OPT.ECHO, true);
  }

  /** IAC WONT ECHO: client echoes locally again. */
  echoOn(): void {
    if (!this.closing) this.neg.forceLocal(OPT.ECHO, false);
  }

  /** True once the client agreed to GMCP (DO GMCP). */
  get gmcp(): boolean {
    return this.neg.isLocal(OPT.GMCP);
  }

  /** Output bytes accepted but not yet taken by the kernel (lets the game spot laggards). */
  get bufferedOutput(): number {
    return this.out.pendingBytes;
  }

  /** True while output is MCCP2-compressed. */
  get compressing(): boolean {
    return this.out.compressing;
  }

  /** Send a GMCP message; silently dropped unless the client agreed to GMCP. */
  sendGmcp(pkg: string, data?: unknown): void {
    if (this.closing || !this.neg.isLocal(OPT.GMCP)) return;
    this.out.write(gmcpFrame(pkg, data));
  }

  /**
   * Flush queued output (ending any MCCP2 stream cleanly), then end the
   * socket; destroy it if it is still open after closeTimeoutMs. Idempotent.
   */
  close(reason = 'closed'): void {
    if (this.closing) return;
    this.closing = true;
    this.reason ??= reason;
    this.killTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
    this.killTimer.unref();
    this.out.stopCompression();
    this.out.whenIdle(() => this.socket.end());
  }

  /** Drop the connection now, without flushing. */
  private abort(reason: string): void {
    this.reason ??= reason;
    this.closing = true;
    this.out.destroy();
    this.socket.destroy();
  }

  private finish(): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = null;
    this.closing = true;
    this.out.destroy();
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    try {
      this.emit('close', this.reason ?? 'client hangup');
    } catch (err) {
      process.emitWarning(`telnet 'close' listener threw: ${String(err)}`);
    }
  }

  /** Emit to game listeners; a throwing listener closes this connection only. */
  private safeEmit<K extends keyof TelnetConnectionEvents>(event: K, ...args: TelnetConnectionEvents[K]): void {
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.close(`listener error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.out.batched(() => {
      for (const ev of this.parser.feed(chunk)) {
        if (this.closing) return;
        this.handleEvent(ev);
      }
    });
    if (!this.closing && this.parser.pendingBytes + this.splitter.pendingBytes > this.limits.maxInputBuffer) {
      this.abort('input overflow');
    }
  }

  private handleEvent(ev: TelnetEvent): void {
    switch (ev.type) {
      case 'data':
        for (const r of this.splitter.push(ev.data)) {
          if (this.closing) return;
          if (r.type === 'line') this.safeEmit('line', r.line);
          else this.safeEmit('overlong');
        }
        return;
      case 'negotiate':
        this.neg.receive(ev.verb as NegotiationVerb, ev.option);
        return;
      case 'sb':
        this.handleSubnegotiation(ev.option, ev.data);
        return;
      case 'command':
        // RFC 854 editing commands; everything else (NOP, GA, AYT, ...) is ignored.
        if (ev.command === CMD.EC) this.splitter.eraseChar();
        else if (ev.command === CMD.EL) this.splitter.eraseLine();
        return;
      case 'sb-overflow':
      case 'sb-aborted':
        return; // Malformed or oversized: dropped by design.
    }
  }

  private optionChanged(side: Side, opt: number, enabled: boolean): void {
    if (side === 'remote') {
      if (opt === OPT.TTYPE && enabled && this.ttype.begin()) this.out.write(ttypeSend());
      return;
    }
    switch (opt) {
      case OPT.MCCP2:
        if (enabled) this.out.startCompression();
        else this.out.stopCompression();
        return;
      case OPT.CHARSET:
        if (enabled && !this.charsetPending) {
          this.charsetPending = true;
          this.out.write(charsetRequest(['UTF-8']));
        }
        return;
      case OPT.MSSP:
        if (enabled && this.msspSource) {
          let table: Record<string, string | string[]> | null = null;
          try {
            table = this.msspSource();
          } catch {
            table = null; // A broken status callback must not kill the connection.
          }
          if (table) this.out.write(msspFrame(table));
        }
        return;
    }
  }

  private handleSubnegotiation(opt: number, body: Buffer): void {
    switch (opt) {
      case OPT.NAWS: {
        const size = parseNaws(body);
        if (!size) return;
        if (size.width !== null) this.width = size.width;
        if (size.height !== null) this.height = size.height;
        this.safeEmit('naws', this.width, this.height);
        return;
      }
      case OPT.TTYPE:
        this.handleTtype(body);
        return;
      case OPT.CHARSET:
        this.handleCharset(body);
        return;
      case OPT.GMCP: {
        if (!this.neg.isLocal(OPT.GMCP)) return;
        const msg = parseGmcp(body);
        if (!msg) return;
        if (this.clientName === null && msg.pkg.toLowerCase() === 'core.hello') {
          const client = (msg.data as { client?: unknown } | null)?.client;
          if (typeof client === 'string' && cleanName(client)) this.clientName = cleanName(client);
        }
        this.safeEmit('gmcp', msg.pkg, msg.data);
        return;
      }
    }
  }

  private handleTtype(body: Buffer): void {
    const name = parseTtypeIs(body);
    if (name === null) return;
    const step = this.ttype.reply(name, parseMtts(name));
    if (step.ignored) return;
    this.terminalTypes = this.ttype.types.slice();
    this.mtts = this.ttype.mtts;
    this.ansi = this.ttype.ansi;
    if (step.first) {
      this.clientName = name.length > 0 ? name : this.clientName;
    }
    if (step.sendAgain) this.out.write(ttypeSend());
    if (step.first && this.clientName !== null) this.safeEmit('ttype', this.clientName);
  }

  private handleCharset(body: Buffer): void {
    const msg = parseCharset(body);
    if (!msg) return;
    if (msg.type === 'request') {
      // Client-initiated request (it sent WILL CHARSET). If both sides sent a
      // REQUEST at once we still answer theirs: both answers agree on UTF-8.
      if (!this.neg.isRemote(OPT.CHARSET) && !this.neg.isLocal(OPT.CHARSET)) return;
      const answer = answerCharsetRequest(msg.charsets);
      this.out.write(answer.reply);
      if (answer.utf8 !== null) this.setUtf8(answer.utf8);
      return;
    }
    if (!this.charsetPending) return; // Unsolicited reply: ignore.
    this.charsetPending = false;
    if (msg.type === 'accepted') {
      if (isUtf8Name(msg.charset)) this.setUtf8(true);
    } else {
      this.setUtf8(false);
    }
  }

  private setUtf8(on: boolean): void {
    this.utf8 = on;
    this.splitter.setEncoding(on ? 'utf8' : 'latin1');
  }
}
