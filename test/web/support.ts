import { io, type Socket } from 'socket.io-client';
import type { GameConfig } from '../../server/config.ts';
import { createWebFrontEnd, type WebLimits } from '../../server/web/front_end.ts';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { stripAnsi } from '../support/telnet_client.ts';

export interface WebGame extends RunningGame {
  webPort: number;
  /** http://127.0.0.1:<webPort> */
  url: string;
  /** A socket.io connection, like the page's, that has seen the banner. */
  web(options?: WebClientOptions): Promise<TestWebClient>;
  /** Connects and creates (or logs in to) an account with PASSWORD. */
  webLogin(name: string, mode?: 'create' | 'connect'): Promise<TestWebClient>;
}

/** The real game in this process with both front ends on free loopback ports. */
export async function startWebGame(options: { config?: Partial<GameConfig>; limits?: Partial<WebLimits> } = {}): Promise<WebGame> {
  const run = await startGame({ config: options.config });
  const ports = await run.game.listen([createWebFrontEnd({ limits: options.limits })]);
  const webPort = ports.web!;
  const url = `http://127.0.0.1:${webPort}`;
  const clients: TestWebClient[] = [];
  const stop = run.stop;
  const web: WebGame = Object.assign(run, {
    webPort,
    url,
    async web(clientOptions: WebClientOptions = {}) {
      const client = await TestWebClient.connect(url, clientOptions);
      clients.push(client);
      await client.waitFor('Welcome to');
      return client;
    },
    async webLogin(name: string, mode: 'create' | 'connect' = 'create') {
      const client = await web.web();
      await client.command(`${mode} ${name} ${PASSWORD}`, `You become ${name}`);
      await client.waitFor(/Exits:.*\n|no obvious exits\.\n/);
      return client;
    },
    async stop() {
      await stop();
      for (const client of clients) client.close();
    },
  });
  return web;
}

export interface WebClientOptions {
  headers?: Record<string, string>;
  transports?: Array<'websocket' | 'polling'>;
}

/**
 * A socket.io client speaking the webclient's protocol: `input` out; `output`, `prompt`,
 * `secret` and `oob` in. Its text is what the page would show, without colour.
 */
export class TestWebClient {
  /** Output and prompts, in order, colour stripped. */
  private textSoFar = '';
  private consumed = 0;
  /** Every `secret` event, in order. */
  readonly secrets: boolean[] = [];
  readonly oob: Array<[string, unknown]> = [];
  /** Raw events in order (for checks on the protocol itself). */
  readonly events: Array<{ event: string; args: unknown[] }> = [];
  closed = false;
  disconnectReason: string | null = null;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.onAny((event: string, ...args: unknown[]) => {
      this.events.push({ event, args });
      if ((event === 'output' || event === 'prompt') && typeof args[0] === 'string') this.textSoFar += stripAnsi(args[0]);
      if (event === 'secret') this.secrets.push(args[0] as boolean);
      if (event === 'oob') this.oob.push([args[0] as string, args[1]]);
      this.wake();
    });
    socket.on('disconnect', (reason) => {
      this.closed = true;
      this.disconnectReason = reason;
      this.wake();
    });
  }

  /** Resolves once connected; rejects with the refusal (connect_error) otherwise. */
  static connect(url: string, options: WebClientOptions = {}): Promise<TestWebClient> {
    const socket = io(url, {
      transports: options.transports ?? ['websocket'],
      extraHeaders: options.headers,
      reconnection: false,
      forceNew: true,
      timeout: 5000,
    });
    // Listening from the start, so nothing the server sends on connect is missed.
    const client = new TestWebClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(client));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  get text(): string {
    return this.textSoFar;
  }

  send(line: string): void {
    this.socket.emit('input', line);
  }

  /** Any event with any payload, as a hostile client might send. */
  emitRaw(event: string, ...args: unknown[]): void {
    this.socket.emit(event, ...args);
  }

  /** Waits until text received after the last `waitFor` matches, and returns that new text. */
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
      if (this.closed) throw new Error(`disconnected (${this.disconnectReason}) before ${pattern} arrived; got:\n${fresh}`);
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

  async command(line: string, reply: RegExp | string): Promise<string> {
    this.send(line);
    return this.waitFor(reply);
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('server did not close the connection');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }
}
