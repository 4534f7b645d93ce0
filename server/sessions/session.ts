import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { GameConfig } from '../config.ts';
import type { ObjectStore } from '../store/index.ts';
import { Room } from '../../typeclasses/room.ts';
import { cleanInput, safeForTerminal } from '../text.ts';
import type { AuditBus } from '../audit/bus.ts';
import { actorOf } from '../audit/events.ts';
import { visibleWidth, wrapText } from '../text_wrap.ts';
import { OobSupports, parseOobRequest } from './oob.ts';
import { ProtocolErrorLimiter, protocolErrorEvent, type ProtocolErrorKind, type ProtocolErrorReport } from './protocol_errors.ts';

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

/** Where a GMCP Char.Items message says the item is: the room, or what the character carries. */
export type ItemsLocation = 'room' | 'inv';

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
  /** A command prompt is due at the end of this event-loop turn. */
  private promptDue = false;
  /**
   * Called before the first thing the player sends is taken (the session manager's pending
   * connection_opened, so that it always comes before whatever that input makes happen).
   */
  beforeInput: (() => void) | null = null;
  /** The game asked for a password: what the client sends now is never excerpted. */
  private askingSecret = false;
  /** What the client was last told: its typing is hidden (echo off, a password field). */
  private inputHidden = false;
  private protocolErrors: ProtocolErrorLimiter | null = null;
  /**
   * Columns the ready prompt takes on the player's screen while nothing has followed it: output
   * arriving then (someone's say) starts after it, and its first line is wrapped shorter.
   */
  private promptColumns = 0;

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
    this.out((t) => {
      t.send(this.fit(text));
      this.promptSoon();
    });
  }

  /**
   * Text as the client's screen takes it: terminal controls removed, then wrapped at its width
   * (telnet NAWS, 80 by default), at the moment it goes out, so a resized window counts. A
   * front end with no width (the browser) wraps for itself.
   */
  private fit(text: string): string {
    const safe = safeForTerminal(text);
    const width = this.transport.width;
    const start = this.promptColumns;
    // What goes out ends its line, so the prompt is no longer where the next text starts.
    this.promptColumns = 0;
    return width === undefined ? safe : wrapText(safe, width, start);
  }

  /** The player's own choice (`config prompt off`), kept on their character. */
  get wantsPrompt(): boolean {
    return this.puppet?.attributes.get<boolean>('prompt', true) !== false;
  }

  /**
   * Output went out: follow it with the command prompt once this event-loop turn is over, so
   * a command's lines, or a burst of others' says and arrivals, end with exactly one prompt
   * (Evennia sends GA after each message; Mudlet's listing guide wants one after every prompt).
   * Not while a command runs (its end prompts) or a question waits (it is its own prompt).
   */
  private promptSoon(): void {
    if (this.promptDue || this.closed) return;
    this.promptDue = true;
    setImmediate(() => {
      this.promptDue = false;
      if (this.closed || this.running || this.answer || !this.puppet || !this.wantsPrompt) return;
      if (!this.transport.readyPrompt) return;
      const prompt = safeForTerminal(this.ports.config.prompt);
      this.transport.readyPrompt(prompt);
      this.promptColumns = visibleWidth(prompt);
    });
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
    // The player pressed Enter: their screen is on a fresh line again.
    this.promptColumns = 0;
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
    if (options.secret) this.askingSecret = true;
    this.out((t) => {
      if (options.secret && !this.inputHidden) {
        this.inputHidden = true;
        t.setSecretInput(true);
      }
      t.prompt(safeForTerminal(question));
    });
    try {
      // Typed ahead before the question came: the player already answered.
      if (this.queue.length) return this.dequeue();
      return await new Promise<string>((resolve, reject) => (this.answer = { resolve, reject }));
    } finally {
      if (options.secret) {
        this.askingSecret = false;
        this.out((t) => t.send(''));
        // Echo comes back once this turn's work is done, unless that work asked another secret
        // question (the new password, then its confirmation): turning it on and off again would
        // let a browser, which takes each message in its own task, show and keep what the player
        // types in between. (The answer arrives outside any unit of work, so `out` would act at
        // once; setImmediate is where the turn's own commit would run.)
        setImmediate(() => {
          if (this.askingSecret) return;
          this.out((t) => {
            if (!this.inputHidden) return;
            this.inputHidden = false;
            t.setSecretInput(false);
          });
        });
      }
    }
  }

  /**
   * Structured data for the client (GMCP), only in a module it supports (Core.Supports), and
   * like text only once the unit of work it was said in has committed.
   */
  oob(pkg: string, data?: unknown): void {
    if (!this.wantsOob(pkg)) return;
    this.out((t) => t.sendOob(pkg, data));
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
      case 'supports':
        this.oobSupports.apply(request.verb, request.modules);
        if (!this.isLoggedIn && request.verb !== 'remove' && request.modules.includes('char.login')) {
          this.oob('Char.Login.Default', { type: ['password-credentials'] });
        }
        // What the client takes now, at once, rather than at the next move.
        if (this.puppet && request.verb !== 'remove') this.sendCharacterState();
        return;
      case 'ping':
        return this.oob('Core.Ping');
      case 'items':
        return this.sendItemsList(request.location);
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

  /** Tells GMCP clients the room they are in now: Room.Info, Webclient.Room, who and what is here, Char.Status. */
  roomChanged(room: DefaultObject): void {
    if (this.wantsOob('Room.Info')) {
      this.oob('Room.Info', room instanceof Room ? room.gmcpInfo() : { num: room.id, name: room.key, area: 'Unknown', exits: {} });
    }
    // The description and who is here, for the webclient's panels (typeclasses/room.ts).
    if (room instanceof Room && this.wantsOob('Webclient.Room')) this.oob('Webclient.Room', room.panelInfo(this.puppet));
    this.sendItemsList('room');
    this.sendStatus();
  }

  /** Char.Items.Add/Remove/Update: `item` came, went or changed in the room or the inventory. */
  itemChanged(change: 'Add' | 'Remove' | 'Update', location: ItemsLocation, item: DefaultObject): void {
    if (!this.wantsOob(`Char.Items.${change}`)) return;
    this.oob(`Char.Items.${change}`, { location, item: item.gmcpItem() });
  }

  /** Char.Items.List: everything in the room (but the character itself), or everything it carries. */
  sendItemsList(location: ItemsLocation): void {
    const puppet = this.puppet;
    if (!puppet || !this.wantsOob('Char.Items.List')) return;
    const container = location === 'inv' ? puppet : puppet.location;
    const items = (container?.contents ?? []).filter((obj) => obj !== puppet && !obj.isExit).map((obj) => obj.gmcpItem());
    this.oob('Char.Items.List', { location, items });
  }

  /** Char.Status: who is playing, as whom, with what permission, and where. */
  sendStatus(): void {
    const { account, puppet } = this;
    if (!account || !puppet || !this.wantsOob('Char.Status')) return;
    const room = puppet.location;
    this.oob('Char.Status', {
      name: puppet.key,
      fullname: puppet.key,
      account: account.name,
      permission: account.permissionLevel,
      location: room?.key ?? null,
      area: room instanceof Room ? room.area : null,
    });
  }

  /** Everything a GMCP client shows of its character, sent again (after Core.Supports). */
  private sendCharacterState(): void {
    const name = this.puppet?.key ?? this.account?.name ?? '';
    this.oob('Char.Name', { name, fullname: name });
    const room = this.puppet?.location;
    if (room) this.roomChanged(room);
    this.sendItemsList('inv');
  }

  /** Logged in: no idle limit any more. */
  loggedIn(account: Account): void {
    this.account = account;
    this.clearIdleTimer();
    const name = this.puppet?.key ?? account.name;
    this.oob('Char.Name', { name, fullname: name });
    this.sendItemsList('inv');
  }

  /** Ends the connection from the game's side; the front end then reports it closed. */
  disconnect(message?: string, reason = 'disconnected'): void {
    if (this.closed) return;
    this.out((t) => {
      if (message) t.send(this.fit(message));
      t.close(reason);
    });
  }

  /**
   * The front end met a protocol violation (protocol_errors.ts): audited as `protocol_error`, at
   * most once per kind a minute; the excerpt is withheld while the game asks for a password.
   */
  reportProtocolError(kind: ProtocolErrorKind, excerpt: string): void {
    if (this.closed) return;
    this.protocolErrors ??= new ProtocolErrorLimiter((report) => this.recordProtocolError(report));
    this.protocolErrors.report(kind, this.askingSecret ? null : excerpt);
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

  /**
   * Everything a session sends goes out only once the unit of work it was said in has
   * committed, so no player (the one typing, or one watching) is ever told of an effect that a
   * crash could still take back. Outside a unit of work it goes at once.
   */
  private out(action: (transport: SessionTransport) => void): void {
    // Checked now, not at the commit: a farewell and its close, said just before the session
    // is marked closed (a shutdown does both in one go), must still go out.
    if (this.closed) return;
    this.ports.units.afterCommit(() => action(this.transport));
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
        // Even a command that said nothing ends with a prompt, after whatever it did say.
        this.out(() => this.promptSoon());
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
