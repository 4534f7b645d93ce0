import { io, type Socket } from 'socket.io-client';
import { webWithConsole } from '../../server/front_ends.ts';
import type { WebLimits } from '../../server/web/front_end.ts';
import { PASSWORD, startGame, type RunningGame, type TestConfig } from '../support/game.ts';
import { stripAnsi, TextClient } from '../support/text_client.ts';
import { PATIENCE_MS } from '../support/wait.ts';

export interface WebGame extends RunningGame {
  webPort: number;
  /** http://127.0.0.1:<webPort> */
  url: string;
  /** A socket.io connection, like the page's, that has seen the banner. */
  web(options?: WebClientOptions): Promise<TestWebClient>;
  /** Connects and creates (or logs in to) an account with PASSWORD, like login(), over the webclient's
   *  socket: the first account made claims the admin token. */
  webLogin(name: string, mode?: 'create' | 'connect'): Promise<TestWebClient>;
}

/** The real game in this process with both front ends on free loopback ports. */
export async function startWebGame(options: { config?: TestConfig; limits?: Partial<WebLimits> } = {}): Promise<WebGame> {
  const run = await startGame({ config: options.config });
  const ports = await run.game.listen([webWithConsole(run.game, { limits: options.limits })]);
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
      // As the telnet login() does: the first account a test makes claims the admin token.
      const token = mode === 'create' ? web.adminToken() : null;
      if (token) await client.command(`claim ${token}`, 'You are now the Developer');
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
  /** Another loopback address (127.0.0.2…) to connect from: a client from elsewhere. */
  localAddress?: string;
  /** Over https: false trusts whatever certificate the server shows (a test's self-signed one). */
  rejectUnauthorized?: boolean;
}

/**
 * A socket.io client speaking the webclient's protocol: `input` out; `output`, `prompt`,
 * `secret` and `oob` in. Its text is what the page would show, without colour.
 */
export class TestWebClient extends TextClient {
  private output = '';
  /** Every `secret` event, in order. */
  readonly secrets: boolean[] = [];
  readonly oob: Array<[string, unknown]> = [];
  /** Raw events in order (for checks on the protocol itself). */
  readonly events: Array<{ event: string; args: unknown[] }> = [];
  disconnectReason: string | null = null;

  private constructor(readonly socket: Socket) {
    super();
    socket.onAny((event: string, ...args: unknown[]) => {
      this.events.push({ event, args });
      if (event === 'secret') this.secrets.push(args[0] as boolean);
      if (event === 'oob') this.oob.push([args[0] as string, args[1]]);
      if ((event === 'output' || event === 'prompt') && typeof args[0] === 'string') this.output += stripAnsi(args[0]);
      this.received(this.output);
    });
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.ended();
    });
  }

  protected override endReason(): string {
    return `disconnected (${this.disconnectReason})`;
  }

  /** Resolves once connected; rejects with the refusal (connect_error) otherwise. */
  static connect(url: string, options: WebClientOptions = {}): Promise<TestWebClient> {
    const socket = io(url, {
      transports: options.transports ?? ['websocket'],
      extraHeaders: options.headers,
      // engine.io hands it to the WebSocket transport's socket (not in its typings).
      ...({ localAddress: options.localAddress } as object),
      ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
      reconnection: false,
      forceNew: true,
      timeout: PATIENCE_MS,
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

  send(line: string): void {
    this.socket.emit('input', line);
  }

  /** Any event with any payload, as a hostile client might send. */
  emitRaw(event: string, ...args: unknown[]): void {
    this.socket.emit(event, ...args);
  }

  close(): void {
    this.socket.close();
  }
}
