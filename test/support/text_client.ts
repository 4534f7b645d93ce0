import { PATIENCE_MS, waitUntil } from './wait.ts';

/** Removes ANSI SGR sequences, so tests match what a reader sees. */
export const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * What every test client (raw telnet, socket.io) shares: the text received so far, and waiting
 * for what comes next. A subclass appends with `received` and reports the end with `ended`.
 */
export abstract class TextClient {
  private textSoFar = '';
  private consumed = 0;
  closed = false;
  private readonly waiters = new Set<() => void>();

  /** Everything received so far, as text without colour. */
  get text(): string {
    return this.textSoFar;
  }

  abstract send(line: string): void;
  abstract close(): void;

  /** Why the connection ended, for error messages. */
  protected endReason(): string {
    return 'connection closed';
  }

  protected received(text: string): void {
    this.textSoFar = text;
    this.wake();
  }

  protected ended(): void {
    this.closed = true;
    this.wake();
  }

  /**
   * Waits until text received after the last `waitFor` matches, and returns that new text.
   * Consuming output in order keeps a test from matching an earlier, identical reply.
   */
  async waitFor(pattern: RegExp | string, timeoutMs = PATIENCE_MS): Promise<string> {
    const matches = (t: string) => (typeof pattern === 'string' ? t.indexOf(pattern) : t.search(pattern));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = this.textSoFar.slice(this.consumed);
      const at = matches(fresh);
      if (at >= 0) {
        const end = typeof pattern === 'string' ? at + pattern.length : at + (fresh.slice(at).match(pattern)?.[0].length ?? 0);
        this.consumed += end;
        return fresh.slice(0, end);
      }
      if (this.closed) throw new Error(`${this.endReason()} before ${pattern} arrived; got:\n${fresh}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; got:\n${fresh}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** Sends a command and waits for the text that answers it. */
  async command(line: string, reply: RegExp | string): Promise<string> {
    this.send(line);
    return this.waitFor(reply);
  }

  /** `create <name>`, answering the Password: and Confirm password: prompts as a person would. */
  async createAtPrompts(name: string, password: string): Promise<void> {
    this.send(`create ${name}`);
    await this.waitFor('Password:');
    this.send(password);
    await this.waitFor('Confirm password:');
    this.send(password);
    await this.waitFor(`You become ${name}`);
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = PATIENCE_MS): Promise<void> {
    await waitUntil(() => this.closed, 'the server to close the connection', timeoutMs, 20);
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}
