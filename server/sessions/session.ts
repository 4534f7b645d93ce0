/**
 * The session itself: login state, puppet, the input queue, questions (`ask`), GMCP input, the
 * idle limit and protocol-error reports. Its neighbours hold the rest, each with one job: what
 * it sends and when (session_output.ts), what GMCP says of its character (oob_character.ts), what
 * a client may send out of band (oob.ts), and what a front end implements for it (transport.ts).
 */
import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { GameConfig } from '../config.ts';
import type { ObjectStore } from '../store/index.ts';
import { cleanInput } from '../text.ts';
import type { AuditBus } from '../audit/bus.ts';
import { actorOf } from '../audit/events.ts';
import { malformedExcerpt, OobSupports, parseOobRequest } from './oob.ts';
import { sendCharacterState, sendItemChange, sendItemsList, sendLoginState, sendRoom, sendStatus, type ItemsLocation } from './oob_character.ts';
import { ProtocolErrorLimiter, protocolErrorEvent, type ProtocolErrorKind, type ProtocolErrorReport } from './protocol_errors.ts';
import { SessionOutput } from './session_output.ts';
import type { Protocol, SessionIdentity, SessionTransport } from './transport.ts';

/** What a session needs from the game: its settings, the unit of work, and the dispatcher. */
export interface SessionPorts {
  readonly config: Pick<GameConfig, 'serverName' | 'loginIdleTimeoutMs' | 'prompt'>;
  /** What a session says waits for the commit of the unit of work it was said in. */
  readonly units: Pick<ObjectStore, 'unitOfWork' | 'afterCommit'>;
  /** Runs one input line (the dispatcher). */
  dispatch(session: Session, line: string): Promise<void>;
  /** A login out of band (GMCP Char.Login.Credentials); answers with Char.Login.Result. */
  loginOutOfBand?(session: Session, name: string, password: string): Promise<void>;
  /** Where `protocol_error` events go (none: they are dropped, as in unit tests of sessions). */
  readonly audit?: Pick<AuditBus, 'emit'>;
}

/** Raised in a command waiting on `ask` when the connection goes away. */
export class SessionClosedError extends Error {
  override name = 'SessionClosedError';
}

/**
 * How much a player may type ahead of the game before further lines are refused: enough for a
 * pasted script or a client's speedwalk, bounded so one connection cannot hoard memory.
 */
const MAX_QUEUED_LINES = 1000;
const MAX_QUEUED_CHARS = 256 * 1024;

/**
 * One connection's place in the game: its account and puppet once logged in, and the queue
 * that runs its input lines one at a time, in order, even when a command awaits something.
 */
export class Session {
  private static nextId = 1;
  readonly id: number;
  readonly connectedAt: Date;
  account: Account | null = null;
  puppet: DefaultObject | null = null;
  lastInputAt = Date.now();
  commandsRun = 0;
  closed = false;

  private readonly queue: string[] = [];
  private queuedChars = 0;
  private running = false;
  private answer: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** The GMCP modules the client asked for (Core.Supports.*). */
  readonly oobSupports = new OobSupports();
  private oobLoginRunning = false;
  /**
   * Called before the first thing the player sends is taken (the session manager's pending
   * connection_opened, so that it always comes before whatever that input makes happen).
   */
  beforeInput: (() => void) | null = null;
  private protocolErrors: ProtocolErrorLimiter | null = null;
  private readonly output: SessionOutput;

  constructor(
    private readonly ports: SessionPorts,
    readonly transport: SessionTransport,
    /** The session manager forgets it (unpuppet, audit): called once, when the connection is gone. */
    private readonly onLost: (session: Session, reason: string) => void,
    /** The command rate (session_limits.ts); none: every line is let in. */
    private readonly inputGate?: (session: Session) => boolean,
    identity?: SessionIdentity,
  ) {
    this.id = identity?.id ?? Session.nextId++;
    this.connectedAt = identity?.connectedAt ?? new Date();
    this.output = new SessionOutput(transport, ports.units, ports.config, {
      closed: () => this.closed,
      mayPrompt: () => !this.running && !this.answer && this.puppet !== null && this.wantsPrompt,
    });
    this.armIdleTimer();
  }

  get protocol(): Protocol {
    return this.transport.protocol;
  }
  get remoteAddress(): string {
    return this.transport.remoteAddress;
  }
  get isLoggedIn(): boolean {
    return this.account !== null;
  }

  /**
   * Nothing queued and no command running, or the one running waits for the player's answer,
   * and no GMCP login hashing its password: the moment a reload may take this session over
   * without losing or repeating a command (or a login half done).
   */
  get settled(): boolean {
    return this.queue.length === 0 && (!this.running || this.answer !== null) && !this.oobLoginRunning;
  }

  msg(text: string): void {
    this.output.text(text);
  }

  /** The player's own choice (`config prompt off`), kept on their character. */
  get wantsPrompt(): boolean {
    return this.puppet?.attributes.get<boolean>('prompt', true) !== false;
  }

  /**
   * Spends one unit of the command rate (a line, or anything else a front end counts as input,
   * like a malformed webclient event); false when it is used up, and that input is dropped.
   */
  admitInput(): boolean {
    return !this.inputGate || this.inputGate(this);
  }

  /**
   * A line typed by the player: the answer to a pending `ask`, or the next command. False when
   * the command rate dropped it, so a front end can stop feeding the rest of a pasted batch.
   */
  receiveLine(raw: string): boolean {
    if (this.closed) return false;
    this.beforeInput?.();
    // Before anything else, answers to a password prompt included: a dropped line costs nothing.
    if (!this.admitInput()) return false;
    this.lastInputAt = Date.now();
    this.output.lineEntered();
    const line = cleanInput(raw);
    if (this.answer) {
      const { resolve } = this.answer;
      this.answer = null;
      resolve(line);
      return true;
    }
    if (this.queue.length >= MAX_QUEUED_LINES || this.queuedChars + line.length > MAX_QUEUED_CHARS) {
      this.msg('You are typing faster than the game can follow; that line was dropped.');
      return true;
    }
    this.queue.push(line);
    this.queuedChars += line.length;
    if (!this.running) void this.drain();
    return true;
  }

  /**
   * Asks the player a question and resolves with their next line. A secret question hides the
   * typing and never lets the answer reach the dispatcher, hence never a log.
   */
  async ask(question: string, options: { secret?: boolean } = {}): Promise<string> {
    if (this.closed) throw new SessionClosedError('connection closed');
    const secret = options.secret === true;
    this.output.question(question, secret);
    try {
      // Typed ahead before the question came: the player already answered.
      if (this.queue.length) return this.dequeue();
      return await new Promise<string>((resolve, reject) => (this.answer = { resolve, reject }));
    } finally {
      if (secret) this.output.secretAnswered();
    }
  }

  /**
   * Structured data for the client (GMCP), only in a module it supports (Core.Supports), and
   * like text only once the unit of work it was said in has committed.
   */
  oob(pkg: string, data?: unknown): void {
    if (!this.wantsOob(pkg)) return;
    this.output.afterCommit((t) => t.sendOob(pkg, data));
  }

  /** Would the client take `pkg`? Asked before building a payload nobody reads. */
  wantsOob(pkg: string): boolean {
    return this.transport.oobEnabled !== false && this.oobSupports.allows(pkg);
  }

  /**
   * A GMCP message from the client. Checked first (size, the JSON its package takes, the
   * command rate); a malformed or unknown one is ignored. Never logged: it may carry a password.
   */
  receiveOob(pkg: unknown, data: unknown): void {
    if (this.closed) return;
    this.beforeInput?.();
    if (!this.admitInput()) return;
    const request = parseOobRequest(pkg, data);
    if (!request) return;
    switch (request.kind) {
      case 'malformed':
        return this.reportProtocolError('bad_gmcp', malformedExcerpt(request.pkg));
      case 'supports':
        this.oobSupports.apply(request.verb, request.modules);
        if (!this.isLoggedIn && request.verb !== 'remove' && request.modules.includes('char.login')) {
          this.oob('Char.Login.Default', { type: ['password-credentials'] });
        }
        // What the client takes now, at once, rather than at the next move.
        if (this.puppet && request.verb !== 'remove') sendCharacterState(this);
        return;
      case 'ping':
        return this.oob('Core.Ping');
      case 'items':
        return sendItemsList(this, request.location);
      case 'login':
        return void this.loginOutOfBand(request.name, request.password);
      case 'hello':
        return; // The telnet layer took the client's name from it.
    }
  }

  private async loginOutOfBand(name: string, password: string): Promise<void> {
    // One at a time, and never beside a `connect` that is asking for its password.
    if (this.isLoggedIn || this.answer || this.oobLoginRunning || !this.ports.loginOutOfBand) {
      return this.oob('Char.Login.Result', { success: false, message: this.isLoggedIn ? 'Already logged in.' : 'A login is already under way.' });
    }
    this.oobLoginRunning = true;
    try {
      await this.ports.loginOutOfBand(this, name, password);
    } finally {
      this.oobLoginRunning = false;
    }
  }

  // What GMCP tells the client of its character and room (the messages: oob_character.ts).
  roomChanged(room: DefaultObject): void {
    sendRoom(this, room);
  }
  itemChanged(change: 'Add' | 'Remove' | 'Update', location: ItemsLocation, item: DefaultObject): void {
    sendItemChange(this, change, location, item);
  }
  sendItemsList(location: ItemsLocation): void {
    sendItemsList(this, location);
  }
  sendStatus(): void {
    sendStatus(this);
  }

  /** Logged in: no idle limit any more. */
  loggedIn(account: Account): void {
    this.account = account;
    this.clearIdleTimer();
    sendLoginState(this);
  }

  /** Ends the connection from the game's side; the front end then reports it closed. */
  disconnect(message?: string, reason = 'disconnected'): void {
    if (this.closed) return;
    this.output.close(message, reason);
  }

  /**
   * The front end met a protocol violation (protocol_errors.ts): audited as `protocol_error`, at
   * most once per kind a minute; the excerpt is withheld while the game asks for a password.
   */
  reportProtocolError(kind: ProtocolErrorKind, excerpt: string): void {
    if (this.closed) return;
    this.protocolErrors ??= new ProtocolErrorLimiter((report) => this.recordProtocolError(report));
    this.protocolErrors.report(kind, this.output.askingSecret ? null : excerpt);
  }

  /** A report already limited where the protocol state lives (the portal, over the link). */
  recordProtocolError(report: ProtocolErrorReport): void {
    this.ports.audit?.emit(protocolErrorEvent(actorOf(this), report));
  }

  /** Called once by the front end when the connection is gone, whatever the cause. */
  connectionLost(reason: string): void {
    if (this.closed) return;
    // Errors held back are reported before the connection's end is.
    this.protocolErrors?.flush();
    this.closed = true;
    this.clearIdleTimer();
    this.queue.length = 0;
    this.queuedChars = 0;
    this.answer?.reject(new SessionClosedError(reason));
    this.answer = null;
    this.onLost(this, reason);
  }

  private dequeue(): string {
    const line = this.queue.shift()!;
    this.queuedChars -= line.length;
    return line;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length && !this.closed) {
        const line = this.dequeue();
        this.commandsRun++;
        await this.ports.dispatch(this, line);
        this.output.commandDone();
      }
    } finally {
      this.running = false;
    }
  }

  private armIdleTimer(): void {
    const ms = this.ports.config.loginIdleTimeoutMs;
    if (ms <= 0) return;
    this.idleTimer = setTimeout(() => {
      if (!this.isLoggedIn) this.disconnect('Idle too long without logging in; goodbye.', 'idle timeout');
    }, ms);
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
