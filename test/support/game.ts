import fs from 'node:fs';
import path from 'node:path';
import { defaultConfig, type GameConfig } from '../../server/config.ts';
import type { LimitSettings } from '../../server/config_limits.ts';
import { LOOPBACK } from '../../server/net/address.ts';
import { Game, type GameOptions } from '../../server/game.ts';
import type { FrontEndFactory } from '../../server/sessions/front_end.ts';
import { telnetFrontEnd } from '../../server/telnet/front_end.ts';
import { TestTelnetClient } from './telnet_client.ts';
import { tempDir } from './temp_dir.ts';

export const TEST_SCRYPT_N = 2 ** 14;

// No spaces: the one-line forms (`connect name password`) split on the first space.
export const PASSWORD = 'correct-horse-9';

/** Settings a test changes; `limits` is merged into the defaults, as `logs` is. */
export type TestConfig = Partial<Omit<GameConfig, 'limits'>> & { limits?: Partial<LimitSettings> };

/**
 * Loopback is exempt from the command rate and per-address limits by default, as for `npm run
 * bench`: the tests log in hundreds of players from 127.0.0.1. A test of the limits opts out
 * with `limits: { rateExempt: [] }` (or names its own exempt addresses).
 */
export const TEST_RATE_EXEMPT: readonly string[] = LOOPBACK;

export function testConfig(dir: string, overrides: TestConfig = {}): GameConfig {
  const base = defaultConfig();
  return {
    ...base,
    host: '127.0.0.1',
    telnetPort: 0,
    webPort: 0,
    // The cost servers had before OWASP's 2^17: each login is ~0.03 s of CPU instead of ~0.3 s,
    // which with the suite's hundreds of logins on two cores decides whether tests time out.
    // The default itself is proven by test/core/accounts.test.ts and config.test.ts.
    scryptN: TEST_SCRYPT_N,
    dataDir: path.join(dir, 'data'),
    logDir: path.join(dir, 'logs'),
    ...overrides,
    logs: { ...base.logs, ...overrides.logs },
    limits: { ...base.limits, rateExempt: [...TEST_RATE_EXEMPT], ...overrides.limits },
  };
}

/** Reads the game's log files, after making sure everything logged so far is on disk. */
export class LogFiles {
  constructor(
    private readonly dir: string,
    private readonly flush: () => Promise<void>,
  ) {}

  async lines(file: string): Promise<string[]> {
    await this.flush();
    const full = path.join(this.dir, file);
    if (!fs.existsSync(full)) return [];
    return fs.readFileSync(full, 'utf8').split('\n').filter(Boolean);
  }

  /** Every file under the log dir, concatenated (to prove a secret is nowhere). */
  async everything(): Promise<string> {
    await this.flush();
    const read = (dir: string): string =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .map((e) => (e.isDirectory() ? read(path.join(dir, e.name)) : readIfStillThere(path.join(dir, e.name))))
        .join('\n');
    return fs.existsSync(this.dir) ? read(this.dir) : '';
  }
}

/**
 * A file's text, or '' if it went between the listing and the read: the running server writes
 * some files as a temporary and renames it over the real one (the text logs' cursor), and what
 * it held is then in the file it was renamed to, which the listing also has.
 */
export function readIfStillThere(file: string, encoding: BufferEncoding = 'utf8'): string {
  try {
    return fs.readFileSync(file, encoding);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

export interface RunningGame {
  game: Game;
  port: number;
  dir: string;
  config: GameConfig;
  /** Every port bound, by front end name (`telnet`, and any the test asked for). */
  ports: Record<string, number>;
  logs: LogFiles;
  /** A telnet client at the welcome screen; `from` is its local address (e.g. 127.0.0.2). */
  connect(from?: string): Promise<TestTelnetClient>;
  /** The one-time token that makes an account the Developer (`claim <token>`); null once used. */
  adminToken(): string | null;
  /**
   * Connects and creates (or logs in to) an account with PASSWORD. The first account this
   * creates, while no Developer exists, claims the admin token as an operator would: the
   * account a test logs in first is its admin.
   */
  login(name: string, mode?: 'create' | 'connect'): Promise<TestTelnetClient>;
  /** Graceful stop, then a new game on the same data and log dirs. */
  restart(): Promise<RunningGame>;
  stop(): Promise<void>;
}

/** Starts the real game in this process on a free loopback port, in a temporary dir. */
/** `frontEnds`: what to listen with (default plain telnet alone), made from the test's config. */
export async function startGame(
  options: { dir?: string; config?: TestConfig; game?: GameOptions; frontEnds?: (config: GameConfig) => FrontEndFactory[] } = {},
): Promise<RunningGame> {
  const dir = options.dir ?? tempDir();
  const config = testConfig(dir, options.config);
  const game = new Game(config, options.game);
  const ports = await game.listen(options.frontEnds?.(config) ?? [telnetFrontEnd]);
  const port = ports.telnet!;
  const clients: TestTelnetClient[] = [];
  const running: RunningGame = {
    game,
    port,
    dir,
    config,
    ports,
    logs: new LogFiles(config.logDir, () => game.logs.flush()),
    async connect(from) {
      // A wildcard bind (`::`, 0.0.0.0) is reached on IPv4 loopback unless `from` says otherwise.
      const host = ['::', '0.0.0.0'].includes(config.host) ? (from?.includes(':') ? '::1' : '127.0.0.1') : config.host;
      const client = await TestTelnetClient.connect(port, host, from);
      clients.push(client);
      await client.waitFor('Welcome to');
      return client;
    },
    adminToken: () => game.accounts.adminToken(),
    async login(name, mode = 'create') {
      const client = await running.connect();
      await client.command(`${mode} ${name} ${PASSWORD}`, `You become ${name}`);
      await client.waitFor(/Exits:.*\n|no obvious exits\.\n/);
      const token = mode === 'create' ? running.adminToken() : null;
      if (token) await client.command(`claim ${token}`, 'You are now the Developer');
      return client;
    },
    async restart() {
      await running.stop();
      return startGame({ ...options, dir });
    },
    async stop() {
      await game.shutdown('test finished');
      for (const client of clients) client.close();
    },
  };
  return running;
}
