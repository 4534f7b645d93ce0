import net from 'node:net';

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;

/** Removes ANSI SGR sequences, so tests match what a reader sees. */
export const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * A real TCP client that speaks just enough telnet for tests: it answers no negotiation (as a
 * dumb client would), strips IAC sequences from what it shows, and keeps the raw bytes too.
 */
export class TestTelnetClient {
  raw = Buffer.alloc(0);
  private textSoFar = '';
  private consumed = 0;
  closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.raw = Buffer.concat([this.raw, chunk]);
      this.textSoFar = stripAnsi(decodeTelnetText(this.raw));
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<TestTelnetClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new TestTelnetClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Everything received so far, as text without IAC sequences or colour. */
  get text(): string {
    return this.textSoFar;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  sendRaw(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /**
   * Waits until text received after the last `waitFor` matches, and returns that new text.
   * Consuming output in order keeps a test from matching an earlier, identical reply.
   */
  async waitFor(pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
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
      if (this.closed) throw new Error(`connection closed before ${pattern} arrived; got:\n${fresh}`);
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

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('server did not close the connection');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}

/** Decodes the data bytes of a telnet stream (drops commands and subnegotiations). */
export function decodeTelnetText(bytes: Buffer): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== IAC) {
      out.push(b);
      continue;
    }
    const cmd = bytes[i + 1];
    if (cmd === undefined) break;
    if (cmd === IAC) {
      out.push(IAC);
      i++;
    } else if (cmd === SB) {
      let j = i + 2;
      while (j < bytes.length && !(bytes[j] === IAC && bytes[j + 1] === SE)) j += bytes[j] === IAC ? 2 : 1;
      i = j + 1;
    } else if (cmd >= 0xfb && cmd <= 0xfe) i += 2;
    else i++;
  }
  return Buffer.from(out).toString('utf8').replace(/\r\n/g, '\n').replace(/\r\0/g, '\r');
}
