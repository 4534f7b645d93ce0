import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { GameConfig } from '../config.ts';
import type { ObjectStore } from '../store/index.ts';
import { cleanInput } from '../text.ts';

export type Protocol = 'telnet' | 'web';

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
  /** Hide what the player types (telnet WILL ECHO, a password field in the browser). */
  setSecretInput(secret: boolean): void;
  /** Structured data for clients that take it (GMCP); ignored by those that do not. */
  sendOob(pkg: string, data: unknown): void;
  close(reason: string): void;
  /** The client's screen width (telnet NAWS), when it told us. */
  readonly width?: number | null;
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
  readonly config: Pick<GameConfig, 'serverName' | 'loginIdleTimeoutMs'>;
  /** What a session says waits for the commit of the unit of work it was said in. */
  readonly units: Pick<ObjectStore, 'unitOfWork' | 'afterCommit'>;
  /** Runs one input line (the dispatcher). */
  dispatch(session: Session, line: string): Promise<void>;
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

  constructor(
    private readonly ports: SessionPorts,
    readonly transport: SessionTransport,
    /** The session manager forgets it (unpuppet, audit): called once, when the connection is gone. */
    private readonly onLost: (session: Session, reason: string) => void,
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
   * Nothing queued and no command running, or the one running waits for the player's answer:
   * the moment a reload may take this session over without losing or repeating a command.
   */
  get settled(): boolean {
    return this.queue.length === 0 && (!this.running || this.answer !== null);
  }

  msg(text: string): void {
    this.out((t) => t.send(text));
  }

  /** A line typed by the player: the answer to a pending `ask`, or the next command. */
  receiveLine(raw: string): void {
    if (this.closed) return;
    this.lastInputAt = Date.now();
    const line = cleanInput(raw);
    if (this.answer) {
      const { resolve } = this.answer;
      this.answer = null;
      resolve(line);
      return;
    }
    if (this.queue.length >= MAX_QUEUED_LINES || this.queuedChars + line.length > MAX_QUEUED_CHARS) {
      this.msg('You are typing faster than the game can follow; that line was dropped.');
      return;
    }
    this.queue.push(line);
    this.queuedChars += line.length;
    if (!this.running) void this.drain();
  }

  /**
   * Asks the player a question and resolves with their next line. A secret question hides the
   * typing and never lets the answer reach the dispatcher, hence never a log.
   */
  async ask(question: string, options: { secret?: boolean } = {}): Promise<string> {
    if (this.closed) throw new SessionClosedError('connection closed');
    this.out((t) => {
      if (options.secret) t.setSecretInput(true);
      t.prompt(question);
    });
    try {
      // Typed ahead before the question came: the player already answered.
      if (this.queue.length) return this.dequeue();
      return await new Promise<string>((resolve, reject) => (this.answer = { resolve, reject }));
    } finally {
      if (options.secret) {
        this.out((t) => {
          t.setSecretInput(false);
          t.send('');
        });
      }
    }
  }

  /** Tells GMCP clients the room they are in now (Room.Info). */
  roomChanged(room: DefaultObject): void {
    const exits: Record<string, number> = {};
    for (const obj of room.contents) if (obj.isExit && obj.destination) exits[obj.key] = obj.destination.id;
    this.out((t) => t.sendOob('Room.Info', { num: room.id, name: room.key, exits }));
  }

  /** Logged in: no idle limit any more. */
  loggedIn(account: Account): void {
    this.account = account;
    this.clearIdleTimer();
    const name = this.puppet?.key ?? account.name;
    this.out((t) => t.sendOob('Char.Name', { name, fullname: name }));
  }

  /** Ends the connection from the game's side; the front end then reports it closed. */
  disconnect(message?: string, reason = 'disconnected'): void {
    if (this.closed) return;
    this.out((t) => {
      if (message) t.send(message);
      t.close(reason);
    });
  }

  /** Called once by the front end when the connection is gone, whatever the cause. */
  connectionLost(reason: string): void {
    if (this.closed) return;
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
