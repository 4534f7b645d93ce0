/**
 * TelnetConnection: socket glue around the pure pieces
 * (TelnetParser -> OptionNegotiator / option modules / LineSplitter, and
 * OutputPipeline for everything we send). What each telnet option does lives
 * in its module under options/; this file only dispatches over that table.
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
import { CMD, IAC, OPT, type NegotiationVerb } from './constants.ts';
import { TelnetParser, type TelnetEvent } from './parser.ts';
import { LineSplitter } from './lines.ts';
import { OptionNegotiator } from './negotiation.ts';
import { normaliseAddress } from '../net/address.ts';
import { OutputPipeline } from './output.ts';
import { encodeText } from './encode.ts';
import { ConnectionOptions } from './options/index.ts';
import { promptMark } from './options/eor.ts';
import { gmcpFrame } from './options/gmcp.ts';
import type { OptionHost } from './options/option.ts';
import { lineExcerpt } from '../sessions/protocol_errors.ts';
import { resolveLimits, type TelnetConnectionEvents, type TelnetConnectionOptions, type TelnetLimits, type TelnetSocket } from './types.ts';

export { DEFAULT_LIMITS, type TelnetConnectionEvents, type TelnetConnectionOptions, type TelnetLimits, type TelnetSocket } from './types.ts';

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
  /** What the client said of itself over NEW-ENVIRON (options/new_environ.ts). */
  environ: Record<string, string> = {};

  private readonly socket: TelnetSocket;
  private readonly parser: TelnetParser;
  private readonly splitter: LineSplitter;
  private readonly neg: OptionNegotiator;
  private readonly out: OutputPipeline;
  private readonly options: ConnectionOptions;
  private readonly closeTimeoutMs: number;
  private started = false;
  private closing = false;
  private closeEmitted = false;
  private reason: string | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  /** Waiting for NEW-ENVIRON's answer: callbacks, or null once it came (or was given up on). */
  private environWaiters: Array<() => void> | null = [];
  private environTimer: NodeJS.Timeout | null = null;
  private readonly environWaitMs: number;
  private refuseFirst: ((chunk: Buffer) => string | null) | undefined;
  private readonly fromGateway: boolean;

  constructor(socket: TelnetSocket, options: TelnetConnectionOptions = {}) {
    super();
    this.socket = socket;
    this.limits = resolveLimits(options.limits);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 2000;
    this.environWaitMs = options.environWaitMs ?? 2000;
    this.refuseFirst = options.refuseFirst;
    this.fromGateway = options.fromGateway ?? false;
    // Spelt as the web front end spells it (`::ffff:1.2.3.4` is 1.2.3.4), so one client has one
    // counter; behind a PROXY-protocol gateway, the address the gateway reported.
    this.remoteAddress = normaliseAddress(options.remoteAddress ?? socket.remoteAddress);
    this.parser = new TelnetParser(this.limits.maxSubnegotiation);
    this.splitter = new LineSplitter(this.limits.maxLineBytes, 'utf8');
    this.out = new OutputPipeline(
      socket,
      this.limits.maxOutputBuffer,
      () => this.abort('output overflow'),
      (err) => this.abort(`compression error: ${err.message}`),
    );
    this.options = new ConnectionOptions(this.optionHost(options.mssp));
    this.neg = new OptionNegotiator({
      send: (verb, opt) => this.out.write(Buffer.from([IAC, verb, opt])),
      acceptLocal: (opt) => this.options.accepts('local', opt),
      acceptRemote: (opt) => this.options.accepts('remote', opt),
      changed: (side, opt, enabled) => this.options.changed(side, opt, enabled),
      refused: (side, opt) => this.options.refused(side, opt),
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
      socket.setNoDelay?.(true);
      socket.setKeepAlive?.(true, 60_000);
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
    // A client that never answers NEW-ENVIRON (a dumb one) is not waited for long.
    this.environTimer = setTimeout(() => this.environSettled(), this.environWaitMs);
    this.environTimer.unref();
    this.out.batched(() => this.sendOffers());
  }

  /**
   * Calls `ready` once the client has said what it says of itself over NEW-ENVIRON (or refused,
   * or took too long), at once if it already has; never after the connection closed.
   */
  whenEnvironKnown(ready: () => void): void {
    if (this.environWaiters) this.environWaiters.push(ready);
    else if (!this.closeEmitted) ready();
  }

  private environSettled(): void {
    const waiters = this.environWaiters;
    if (!waiters) return;
    this.environWaiters = null;
    if (this.environTimer) clearTimeout(this.environTimer);
    this.environTimer = null;
    for (const ready of waiters) this.safeCall(ready);
  }

  private sendOffers(): void {
    for (const [side, opt] of this.options.offers()) {
      if (side === 'local') this.neg.requestLocal(opt, true);
      else this.neg.requestRemote(opt, true);
    }
  }

  /** What the option modules may see and do on this connection. */
  private optionHost(mssp: OptionHost['mssp']): OptionHost {
    return {
      client: this,
      mssp,
      fromGateway: this.fromGateway,
      environSettled: () => this.environSettled(),
      send: (frame) => this.out.write(frame),
      emit: (event, ...args) => this.safeEmit(event, ...args),
      isLocal: (opt) => this.neg.isLocal(opt),
      isRemote: (opt) => this.neg.isRemote(opt),
      setUtf8: (on) => {
        this.utf8 = on;
        this.splitter.setEncoding(on ? 'utf8' : 'latin1');
      },
      startCompression: () => this.out.startCompression(),
      stopCompression: () => this.out.stopCompression(),
    };
  }

  /** Game output: "\n" -> CR LF, IAC doubled, colour stripped when !ansi. */
  write(text: string): void {
    if (this.closing) return;
    this.out.write(encodeText(text, { ansi: this.ansi, utf8: this.utf8 }));
  }

  /** Write a prompt (no newline) and mark its end (IAC EOR or IAC GA, see options/eor.ts). */
  prompt(text: string): void {
    if (this.closing) return;
    const body = encodeText(text, { ansi: this.ansi, utf8: this.utf8 });
    const mark = promptMark((opt) => this.neg.isLocal(opt));
    this.out.write(mark ? Buffer.concat([body, mark]) : body);
  }

  /** IAC WILL ECHO (RFC 857): client stops local echo (password prompts). Not awaited. */
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
    if (this.environTimer) clearTimeout(this.environTimer);
    this.environTimer = null;
    this.environWaiters = null;
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

  /** A callback of ours that throws closes this connection only, as a throwing listener does. */
  private safeCall(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.close(`listener error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    if (this.refuseFirst) {
      const refusal = this.refuseFirst(chunk);
      this.refuseFirst = undefined;
      if (refusal) return this.abort(refusal);
    }
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
          if (r.type === 'line') {
            if (r.invalidUtf8) this.safeEmit('protocolError', 'invalid_utf8', lineExcerpt(r.line, `${r.bytes} bytes`));
            this.safeEmit('line', r.line);
          } else {
            this.safeEmit('protocolError', 'line_too_long', lineExcerpt(r.head, `over ${this.limits.maxLineBytes} bytes`));
            this.safeEmit('overlong');
          }
        }
        return;
      case 'negotiate':
        this.neg.receive(ev.verb as NegotiationVerb, ev.option);
        return;
      case 'sb':
        this.options.subnegotiation(ev.option, ev.data);
        return;
      case 'command':
        // RFC 854 editing commands; everything else (NOP, GA, AYT, ...) is ignored.
        if (ev.command === CMD.EC) this.splitter.eraseChar();
        else if (ev.command === CMD.EL) this.splitter.eraseLine();
        return;
      case 'sb-overflow':
        // Dropped by design; reported, since no honest client sends one.
        this.safeEmit('protocolError', 'subneg_oversized', `IAC SB ${ev.option} over ${this.limits.maxSubnegotiation} bytes`);
        return;
      case 'sb-aborted':
        this.safeEmit('protocolError', 'subneg_truncated', `IAC SB ${ev.option} cut short`);
        return;
    }
  }
}
