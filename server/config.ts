import fs from 'node:fs';
import path from 'node:path';
import { auditTrailConfig, defaultAuditTrailConfig, type AuditTrailConfig } from './config_audit.ts';
import { ConfigError, flag, integer, type Env } from './config_env.ts';
import { DEFAULT_LIMITS, limitsConfig, type LimitSettings } from './config_limits.ts';
import { DEFAULT_REACH, reachConfig, type ReachSettings } from './config_reach.ts';

// Callers import every setting's type and the error from here: one place for the configuration.
export { ConfigError } from './config_env.ts';
export { defaultAuditTrailConfig, signingKeyFileOf, type AuditTrailConfig } from './config_audit.ts';
import { defaultLogConfig } from './logging/index.ts';
import { OWASP_SCRYPT_N } from '../typeclasses/passwords.ts';

/** Everything an operator can set. Environment variables win over the optional JSON file. */
export interface GameConfig {
  serverName: string;
  host: string;
  telnetPort: number;
  webPort: number;
  /** Start the browser front end (on by default; tests of the telnet side may skip it). */
  webEnabled: boolean;
  /**
   * Origins (scheme://host[:port]) whose pages may open a webclient socket, besides the page's
   * own origin (the Origin header matching Host). Env MUD_WEB_ORIGINS, comma-separated.
   */
  webOrigins: string[];
  /**
   * Behind a reverse proxy: take the player's address from X-Forwarded-For (the entry the proxy
   * appended) and the host from X-Forwarded-Host. Off by default, as anyone can send those headers.
   */
  webTrustProxy: boolean;
  dataDir: string;
  logDir: string;
  /** Typeclass of characters made by `create`. */
  defaultCharacterTypeclass: string;
  /** Connections that have not logged in after this long are closed; 0 turns it off. */
  loginIdleTimeoutMs: number;
  /** Logged-in players (staff exempt) idle longer than this are disconnected; 0 turns it off. */
  idleTimeoutMs: number;
  /** Below this many free bytes under the data or log dir, server.log warns (hourly); 0: never. Env MUD_DISK_WARN_BYTES. */
  diskWarnBytes: number;
  /**
   * The command prompt after each command's output and after output between commands, marked
   * with IAC EOR or GA on telnet (players turn it off with `config prompt off`). Env MUD_PROMPT.
   */
  prompt: string;
  /** Command rate and per-address limits (server/config_limits.ts). */
  limits: LimitSettings;
  /** TLS telnet, HTTPS and the PROXY-protocol gateways (server/config_reach.ts). */
  reach: ReachSettings;
  /**
   * scrypt's cost N for new password hashes (r=8, p=1); default 2^17, OWASP's minimum. Older,
   * weaker hashes are re-hashed at their next login. Env MUD_SCRYPT_N (a power of two).
   */
  scryptN: number;
  logs: {
    /** Full audit mode: the command, movement and player logs. */
    audit: boolean;
    server: boolean;
    portal: boolean;
    /** admin_actions.log: every builder and admin command. */
    admin: boolean;
    /** chat.log: say, whisper and emote, IRC style. */
    chat: boolean;
    auditMaxBytes: number;
    auditKeep: number;
    dailyKeep: number;
    fileMode: number;
    dirMode: number;
    /** Also print the server log to the console. */
    console: boolean;
  };
  /** The structured audit trail: JSONL files and the audit_events table (see AuditTrailConfig). */
  audit?: AuditTrailConfig;
  /** The operators' console at /admin and GET /metrics (server/console/README.md). */
  admin: AdminSettings;
}


export function defaultConfig(): GameConfig {
  // Sizes, counts and modes: the logging module's own defaults, stated once there.
  const { auditMaxBytes, auditKeep, dailyKeep, fileMode, dirMode } = defaultLogConfig();
  return {
    serverName: 'Audited MUD',
    host: '0.0.0.0',
    telnetPort: 4000,
    webPort: 4001,
    webEnabled: true,
    webOrigins: [],
    webTrustProxy: false,
    dataDir: './data',
    logDir: './logs',
    defaultCharacterTypeclass: 'typeclasses/audited_character.AuditedCharacter',
    loginIdleTimeoutMs: 10 * 60_000,
    idleTimeoutMs: 0,
    diskWarnBytes: 1024 ** 3,
    prompt: '> ',
    limits: { ...DEFAULT_LIMITS, rateExempt: [] },
    reach: { ...DEFAULT_REACH, proxyFrom: [] },
    scryptN: OWASP_SCRYPT_N,
    logs: {
      audit: true,
      server: true,
      portal: true,
      admin: true,
      chat: true,
      auditMaxBytes,
      auditKeep,
      dailyKeep,
      fileMode,
      dirMode,
      console: false,
    },
    audit: defaultAuditTrailConfig(),
    admin: { ...DEFAULT_ADMIN_SETTINGS },
  };
}

/**
 * MUD_SCRYPT_N: a power of two from 2^10 (for tests) to 2^18 (256 MiB per hash: the hash queue
 * runs two at once, so more would be a lot of memory for a login).
 */
function scryptCost(env: Env, fallback: number): number {
  const n = integer(env, 'MUD_SCRYPT_N', fallback, { min: 2 ** 10, max: 2 ** 18 });
  if (!Number.isInteger(n) || n < 2 ** 10 || n > 2 ** 18 || (n & (n - 1)) !== 0) {
    const source = env.MUD_SCRYPT_N ? `MUD_SCRYPT_N=${JSON.stringify(env.MUD_SCRYPT_N)}` : `scryptN ${JSON.stringify(n)} in the config file`;
    throw new ConfigError(`${source} is not a power of two from 1024 to 262144 (the default is ${OWASP_SCRYPT_N}, 2^17)`);
  }
  return n;
}

/** Each origin as the browser sends it (`https://mud.example.com`, `http://localhost:8080`). */
function origins(raw: readonly string[], source: string): string[] {
  return raw
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      let url: URL | null = null;
      try {
        url = new URL(o);
      } catch {
        // reported below
      }
      const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      if (!url || !bare || !['http:', 'https:'].includes(url.protocol)) {
        throw new ConfigError(`${source}: ${JSON.stringify(o)} is not an origin like https://mud.example.com or http://localhost:8080`);
      }
      return url.origin;
    });
}

function listOf(value: unknown, source: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${source} should be a list of origins`);
  return value.map(String);
}

/** A JSON file shaped like GameConfig (any subset), named by MUD_CONFIG or ./mud.config.json. */
function readConfigFile(env: Env, cwd: string): Partial<GameConfig> {
  const file = env.MUD_CONFIG ?? path.join(cwd, 'mud.config.json');
  if (!env.MUD_CONFIG && !fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<GameConfig>;
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${file}: ${(error as Error).message}`);
  }
}

/** Builds the configuration from defaults, the config file and the environment, in that order. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): GameConfig {
  const base = defaultConfig();
  const file = readConfigFile(env, cwd);
  const fromFile: GameConfig = { ...base, ...file, logs: { ...base.logs, ...file.logs } };
  const logs = fromFile.logs;
  const port = { min: 0, max: 65535 };
  // Full audit mode is the master switch: off, every audit trail is off unless set on by name.
  const fullAudit = flag(env, 'MUD_AUDIT', logs.audit);
  return {
    ...fromFile,
    serverName: env.MUD_SERVER_NAME ?? fromFile.serverName,
    host: env.MUD_HOST ?? fromFile.host,
    telnetPort: integer(env, 'MUD_TELNET_PORT', fromFile.telnetPort, port),
    webPort: integer(env, 'MUD_WEB_PORT', fromFile.webPort, port),
    webEnabled: flag(env, 'MUD_WEB', fromFile.webEnabled),
    webOrigins:
      env.MUD_WEB_ORIGINS !== undefined
        ? origins(env.MUD_WEB_ORIGINS.split(','), 'MUD_WEB_ORIGINS')
        : origins(listOf(fromFile.webOrigins, 'webOrigins in the config file'), 'webOrigins in the config file'),
    webTrustProxy: flag(env, 'MUD_WEB_TRUST_PROXY', fromFile.webTrustProxy),
    dataDir: path.resolve(cwd, env.MUD_DATA_DIR ?? fromFile.dataDir),
    logDir: path.resolve(cwd, env.MUD_LOG_DIR ?? fromFile.logDir),
    defaultCharacterTypeclass: env.MUD_CHARACTER_TYPECLASS ?? fromFile.defaultCharacterTypeclass,
    loginIdleTimeoutMs: integer(env, 'MUD_LOGIN_IDLE_SECONDS', fromFile.loginIdleTimeoutMs / 1000) * 1000,
    idleTimeoutMs: integer(env, 'MUD_IDLE_SECONDS', fromFile.idleTimeoutMs / 1000) * 1000,
    diskWarnBytes: integer(env, 'MUD_DISK_WARN_BYTES', fromFile.diskWarnBytes),
    prompt: env.MUD_PROMPT ?? String(fromFile.prompt),
    limits: limitsConfig(
      env,
      file.limits,
      (name, fallback) => integer(env, name, fallback, { max: 1_000_000 }),
      (message) => {
        throw new ConfigError(message);
      },
    ),
    reach: reachConfig(env, file.reach),
    scryptN: scryptCost(env, fromFile.scryptN),
    logs: {
      audit: fullAudit,
      server: flag(env, 'MUD_SERVER_LOG', logs.server),
      portal: flag(env, 'MUD_PORTAL_LOG', logs.portal),
      admin: flag(env, 'MUD_ADMIN_LOG', fullAudit && logs.admin),
      chat: flag(env, 'MUD_CHAT_LOG', fullAudit && logs.chat),
      auditMaxBytes: integer(env, 'MUD_AUDIT_LOG_MAX_BYTES', logs.auditMaxBytes, { min: 1024 }),
      auditKeep: integer(env, 'MUD_AUDIT_LOG_KEEP', logs.auditKeep, { min: 1 }),
      dailyKeep: integer(env, 'MUD_DAILY_LOG_KEEP', logs.dailyKeep, { min: 1 }),
      fileMode: integer(env, 'MUD_LOG_FILE_MODE', logs.fileMode, { octal: true }),
      dirMode: integer(env, 'MUD_LOG_DIR_MODE', logs.dirMode, { octal: true }),
      console: flag(env, 'MUD_LOG_CONSOLE', logs.console),
    },
    audit: auditTrailConfig(env, file.audit, fullAudit),
    admin: adminConfig(env, file.admin),
  };
}

/*
 * Settings of the operators' console (/admin) and of /metrics: `GameConfig.admin`, from the JSON
 * config file's `admin` block and MUD_ADMIN_CONSOLE / MUD_METRICS / MUD_METRICS_TOKEN, then,
 * for tests, the options the start-up wiring passes the console (server/front_ends.ts), which win.
 */

/** Who may read GET /metrics: loopback addresses only, anyone, or nobody (404). */
export type MetricsAccess = 'loopback' | 'open' | 'off';

export interface AdminSettings {
  /** The console itself (/admin, its APIs and its socket). Off: /admin answers 404. */
  enabled: boolean;
  metrics: MetricsAccess;
  /**
   * A bearer token that opens /metrics from any address (`Authorization: Bearer <token>`, what a
   * Prometheus `authorization` block sends), unless `metrics` is `off`. Empty: no token.
   */
  metricsToken: string;
  /** A console session ends after this long without a request (8 h). */
  sessionIdleMs: number;
  /** ...and this long after its login whatever happens (24 h). */
  sessionMaxMs: number;
  /** Console sessions held at most; past it the oldest is forgotten (logged out). */
  maxSessions: number;
  /** Live-tail sockets at most, over all admins. */
  maxSockets: number;
  /** Events waiting for one live-tail socket; past it the oldest are skipped (and counted). */
  tailQueue: number;
  /** Events in one `events` message to a live-tail socket. */
  tailBatch: number;
  /** Messages a live-tail socket may have unsent (engine.io's buffer) before we wait for it. */
  tailUnsent: number;
  /** How often sessions are swept and live sockets re-checked (expiry, permission lost). */
  sweepMs: number;
}

export const DEFAULT_ADMIN_SETTINGS: Readonly<AdminSettings> = {
  enabled: true,
  metrics: 'loopback',
  metricsToken: '',
  sessionIdleMs: 8 * 3600_000,
  sessionMaxMs: 24 * 3600_000,
  maxSessions: 1000,
  maxSockets: 100,
  tailQueue: 1000,
  tailBatch: 200,
  tailUnsent: 8,
  sweepMs: 30_000,
};

export class AdminSettingsError extends Error {
  override name = 'AdminSettingsError';
}

const NUMBERS = ['sessionIdleMs', 'sessionMaxMs', 'maxSessions', 'maxSockets', 'tailQueue', 'tailBatch', 'tailUnsent', 'sweepMs'] as const;

/** Checks a settings block (from the config file or code) and fills in the defaults. */
export function resolveAdminSettings(...blocks: unknown[]): AdminSettings {
  const settings: AdminSettings = { ...DEFAULT_ADMIN_SETTINGS };
  for (const block of blocks) {
    if (block === undefined || block === null) continue;
    if (typeof block !== 'object' || Array.isArray(block)) throw new AdminSettingsError('the "admin" settings should be an object');
    const b = block as Record<string, unknown>;
    if (b.enabled !== undefined) {
      if (typeof b.enabled !== 'boolean') throw new AdminSettingsError('admin.enabled should be true or false');
      settings.enabled = b.enabled;
    }
    if (b.metrics !== undefined) {
      if (b.metrics !== 'loopback' && b.metrics !== 'open' && b.metrics !== 'off') {
        throw new AdminSettingsError('admin.metrics should be "loopback", "open" or "off"');
      }
      settings.metrics = b.metrics;
    }
    if (b.metricsToken !== undefined) {
      if (typeof b.metricsToken !== 'string' || (b.metricsToken !== '' && b.metricsToken.length < 16)) {
        throw new AdminSettingsError('admin.metricsToken should be a string of at least 16 characters (or empty for none)');
      }
      settings.metricsToken = b.metricsToken;
    }
    for (const key of NUMBERS) {
      const value = b[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new AdminSettingsError(`admin.${key} should be a whole number above 0`);
      settings[key] = value;
    }
  }
  return settings;
}

/** The config file's "admin" block, then MUD_ADMIN_CONSOLE, MUD_METRICS and MUD_METRICS_TOKEN. */
function adminConfig(env: Env, file: unknown): AdminSettings {
  const fromEnv: Partial<AdminSettings> = {};
  if (env.MUD_ADMIN_CONSOLE) fromEnv.enabled = flag(env, 'MUD_ADMIN_CONSOLE', true);
  if (env.MUD_METRICS) fromEnv.metrics = env.MUD_METRICS as MetricsAccess;
  if (env.MUD_METRICS_TOKEN !== undefined) fromEnv.metricsToken = env.MUD_METRICS_TOKEN;
  try {
    return resolveAdminSettings(file, fromEnv);
  } catch (error) {
    if (error instanceof AdminSettingsError) throw new ConfigError(error.message.replace(/^admin\.(metrics|enabled|metricsToken)/, (_, k: string) => `${ADMIN_ENV[k]} (admin.${k})`));
    throw error;
  }
}

const ADMIN_ENV: Record<string, string> = { enabled: 'MUD_ADMIN_CONSOLE', metrics: 'MUD_METRICS', metricsToken: 'MUD_METRICS_TOKEN' };
