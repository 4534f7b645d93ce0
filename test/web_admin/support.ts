import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { AdminSettings } from '../../server/config.ts';
import { webWithConsole } from '../../server/front_ends.ts';
import type { GameOptions } from '../../server/game.ts';
import { PASSWORD, startGame, type RunningGame, type TestConfig } from '../support/game.ts';
import { PATIENCE_MS, until } from '../support/wait.ts';
import { TestWebClient } from '../web/support.ts';

export const ADMIN = 'Warden';

export interface AdminGame extends RunningGame {
  url: string;
  /** POST /admin/api/login as the console page does (`login` is the telnet one). */
  consoleLogin(name: string, password?: string, headers?: Record<string, string>): Promise<LoginResult>;
  /** Logs in as ADMIN and returns the cookie to send. */
  adminCookie(): Promise<string>;
  /** GET a path, with this cookie if given. */
  get(path: string, cookie?: string | null, headers?: Record<string, string>): Promise<Response>;
  getJson<T = any>(path: string, cookie: string): Promise<T>;
  post(path: string, cookie: string | null, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** The live tail's socket with this cookie; rejects with the refusal. */
  tail(cookie: string | null, options?: { namespace?: string; path?: string; headers?: Record<string, string> }): Promise<TailClient>;
  /** A webclient connection as if from `address` (needs webTrustProxy), logged in as a new account. */
  webPlayerFrom(name: string, address: string): Promise<TestWebClient>;
}

export interface LoginResult {
  status: number;
  body: any;
  setCookie: string | null;
  /** `mud_admin=<id>`, ready for a Cookie header, when one was set. */
  cookie: string | null;
}

/**
 * The real game with telnet and the web front end on free loopback ports. ADMIN is made first,
 * with PASSWORD, and made the Developer with the game's one-time admin token.
 */
export async function startAdminGame(
  options: { config?: TestConfig; game?: GameOptions; admin?: Partial<AdminSettings> } = {},
): Promise<AdminGame> {
  const run = await startGame({ config: options.config, game: options.game });
  const ports = await run.game.listen([webWithConsole(run.game, { admin: options.admin })]);
  const url = `http://127.0.0.1:${ports.web!}`;
  run.game.accounts.claimAdmin(await run.game.accounts.create(ADMIN, PASSWORD), run.adminToken()!);
  const sockets: Socket[] = [];
  const webClients: TestWebClient[] = [];
  const stop = run.stop;

  const admin: AdminGame = Object.assign(run, {
    url,
    async consoleLogin(name: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<LoginResult> {
      const response = await fetch(`${url}/admin/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mud-admin': '1', ...headers },
        body: JSON.stringify({ name, password }),
      });
      const setCookie = response.headers.get('set-cookie');
      const body = await response.json().catch(() => null);
      const cookie = setCookie ? setCookie.split(';')[0]! : null;
      return { status: response.status, body, setCookie, cookie };
    },
    async adminCookie() {
      const result = await admin.consoleLogin(ADMIN);
      if (result.status !== 200 || !result.cookie) throw new Error(`admin login failed: ${result.status} ${JSON.stringify(result.body)}`);
      return result.cookie;
    },
    get(path: string, cookie?: string | null, headers: Record<string, string> = {}) {
      return fetch(`${url}${path}`, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
    },
    async getJson<T = any>(path: string, cookie: string): Promise<T> {
      const response = await admin.get(path, cookie);
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    post(path: string, cookie: string | null, body?: unknown, headers: Record<string, string> = {}) {
      return fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mud-admin': '1', ...(cookie ? { cookie } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async tail(cookie: string | null, tailOptions: { namespace?: string; path?: string; headers?: Record<string, string> } = {}) {
      const socket = io(`${url}${tailOptions.namespace ?? '/admin'}`, {
        path: tailOptions.path ?? '/admin/socket.io',
        transports: ['websocket'],
        extraHeaders: { ...(cookie ? { cookie } : {}), ...tailOptions.headers },
        reconnection: false,
        forceNew: true,
        timeout: PATIENCE_MS,
      });
      sockets.push(socket);
      const client = new TailClient(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (error) => {
          socket.close();
          reject(error);
        });
      });
      return client;
    },
    async webPlayerFrom(name: string, address: string) {
      const client = await TestWebClient.connect(url, { headers: { 'x-forwarded-for': address } });
      webClients.push(client);
      await client.waitFor('Welcome to');
      await client.command(`create ${name} ${PASSWORD}`, `You become ${name}`);
      await client.waitFor(/Exits:.*\n|no obvious exits\.\n/);
      return client;
    },
    async stop() {
      for (const socket of sockets) socket.close();
      await stop();
      for (const client of webClients) client.close();
    },
  });
  return admin;
}

export interface TailEvent {
  event_type: string;
  actor: { account: string | null; character: string | null; remote_addr: string | null; protocol: string | null };
  payload: Record<string, unknown>;
}

/** The page's side of the live tail: every `events` batch, flattened. */
export class TailClient {
  readonly events: TailEvent[] = [];
  skipped = 0;
  disconnected: string | null = null;
  ended = false;

  constructor(readonly socket: Socket) {
    socket.on('events', (batch: { events: TailEvent[]; skipped: number }) => {
      this.events.push(...batch.events);
      this.skipped += batch.skipped;
    });
    socket.on('ended', () => (this.ended = true));
    socket.on('disconnect', (reason) => (this.disconnected = reason));
  }

  /** Waits for an event that satisfies `test` (polling; no timing asserted). */
  async waitFor(test: (event: TailEvent) => boolean, timeoutMs = 10_000): Promise<TailEvent> {
    let found: TailEvent | undefined;
    if (await until(() => (found = this.events.find(test)) !== undefined, timeoutMs)) return found!;
    throw new Error(`no such live event; got ${JSON.stringify(this.events.map((e) => e.event_type))}`);
  }

  close(): void {
    this.socket.close();
  }
}

/** Opens the console in `page` and signs in as the game's Admin (ADMIN), as an operator would. */
export async function signInToConsole(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/admin`);
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#login-name', ADMIN);
  await page.fill('#login-password', PASSWORD);
  await page.click('#loginform button[type="submit"]');
  await page.waitForSelector('#tabs:not([hidden])');
}
