/**
 * A session's output side, apart from its input queue (session.ts): everything it sends waits
 * for the commit of the unit of work it was said in; text is made safe and wrapped to the
 * client's width as it goes out; the command prompt follows output at most once per event-loop
 * turn; and a secret question hides the typing until it is answered. It knows the front end
 * (SessionTransport) and the unit of work, and asks the session only whether it is closed and
 * whether a prompt may go out now.
 */
import type { GameConfig } from '../config.ts';
import type { ObjectStore } from '../store/index.ts';
import { safeForTerminal } from '../text.ts';
import { visibleWidth, wrapText } from '../text_wrap.ts';
import type { SessionTransport } from './transport.ts';

/** What the output side asks of its session. */
export interface SessionOutputState {
  /** The connection is gone: nothing more goes out. */
  closed(): boolean;
  /** No command running, no question waiting, a character that wants the prompt (`config prompt`). */
  mayPrompt(): boolean;
}

export class SessionOutput {
  /** A command prompt is due at the end of this event-loop turn. */
  private promptDue = false;
  /**
   * Columns the ready prompt takes on the player's screen while nothing has followed it: output
   * arriving then (someone's say) starts after it, and its first line is wrapped shorter.
   */
  private promptColumns = 0;
  private secretAsked = false;
  /** What the client was last told: its typing is hidden (echo off, a password field). */
  private inputHidden = false;

  constructor(
    private readonly transport: SessionTransport,
    private readonly units: Pick<ObjectStore, 'afterCommit'>,
    private readonly config: Pick<GameConfig, 'prompt'>,
    private readonly state: SessionOutputState,
  ) {}

  /** The game asked for a password: what the client sends now is never excerpted. */
  get askingSecret(): boolean {
    return this.secretAsked;
  }

  /**
   * Everything a session sends goes out only once the unit of work it was said in has
   * committed, so no player (the one typing, or one watching) is ever told of an effect that a
   * crash could still take back. Outside a unit of work it goes at once.
   */
  afterCommit(action: (transport: SessionTransport) => void): void {
    // Checked now, not at the commit: a farewell and its close, said just before the session
    // is marked closed (a shutdown does both in one go), must still go out.
    if (this.state.closed()) return;
    this.units.afterCommit(() => action(this.transport));
  }

  /** A line of text for the player, then the prompt. */
  text(text: string): void {
    this.afterCommit((t) => {
      t.send(this.fit(text));
      this.promptSoon();
    });
  }

  /** A last message, if any, then the connection closes. */
  close(message: string | undefined, reason: string): void {
    this.afterCommit((t) => {
      if (message) t.send(this.fit(message));
      t.close(reason);
    });
  }

  /** A question on the prompt line; a secret one hides what the player types until it is answered. */
  question(question: string, secret: boolean): void {
    if (secret) this.secretAsked = true;
    this.afterCommit((t) => {
      if (secret && !this.inputHidden) {
        this.inputHidden = true;
        t.setSecretInput(true);
      }
      t.prompt(safeForTerminal(question));
    });
  }

  /** A secret question was answered (or the connection went): the typing shows again. */
  secretAnswered(): void {
    this.secretAsked = false;
    this.afterCommit((t) => t.send(''));
    // Echo comes back once this turn's work is done, unless that work asked another secret
    // question (the new password, then its confirmation): turning it on and off again would
    // let a browser, which takes each message in its own task, show and keep what the player
    // types in between. (The answer arrives outside any unit of work, so `afterCommit` would act
    // at once; setImmediate is where the turn's own commit would run.)
    setImmediate(() => {
      if (this.secretAsked) return;
      this.afterCommit((t) => {
        if (!this.inputHidden) return;
        this.inputHidden = false;
        t.setSecretInput(false);
      });
    });
  }

  /** The player pressed Enter: their screen is on a fresh line again. */
  lineEntered(): void {
    this.promptColumns = 0;
  }

  /** A command ended: even one that said nothing ends with a prompt, after whatever it did say. */
  commandDone(): void {
    this.afterCommit(() => this.promptSoon());
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

  /**
   * Output went out: follow it with the command prompt once this event-loop turn is over, so
   * a command's lines, or a burst of others' says and arrivals, end with exactly one prompt
   * (Evennia sends GA after each message; Mudlet's listing guide wants one after every prompt).
   * Not while a command runs (its end prompts) or a question waits (it is its own prompt).
   */
  private promptSoon(): void {
    if (this.promptDue || this.state.closed()) return;
    this.promptDue = true;
    setImmediate(() => {
      this.promptDue = false;
      if (this.state.closed() || !this.state.mayPrompt()) return;
      if (!this.transport.readyPrompt) return;
      const prompt = safeForTerminal(this.config.prompt);
      this.transport.readyPrompt(prompt);
      this.promptColumns = visibleWidth(prompt);
    });
  }
}
