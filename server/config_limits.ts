/**
 * The abuse limits (`GameConfig.limits`): how fast one session may send commands, and how much
 * one address may open. The defaults are far above what a person does, and below what fills a
 * disk or the connection table: one `say` flood ran 8,000 commands a second before these.
 */
import { AddressSet } from './net/address.ts';

export interface LimitSettings {
  /** Commands (input lines) per second one session may send, telnet and webclient alike; 0: no limit. */
  commandRate: number;
  /** How many it may send at once before the rate applies (a pasted script, a speedwalk); 0: no limit. */
  commandBurst: number;
  /** Game connections (telnet and webclient) open at once from one address; 0: no limit. */
  connections: number;
  /** New game connections from one address per minute; 0: no limit. */
  connectsPerMinute: number;
  /** Connections from one address still at the login screen; 0: no limit. */
  loginScreen: number;
  /** Accounts created from one address per hour; 0: no limit. */
  accountsPerHour: number;
  /**
   * TCP connections open at once to the web port from one address (page, assets, sockets, and
   * requests still arriving); 0: no limit. Behind a reverse proxy, exempt the proxy's address.
   */
  webSockets: number;
  /** Addresses and CIDR ranges none of the above apply to (the login lock-out still does). */
  rateExempt: string[];
}

export const DEFAULT_LIMITS: Readonly<LimitSettings> = {
  commandRate: 20,
  commandBurst: 60,
  connections: 50,
  connectsPerMinute: 60,
  loginScreen: 20,
  accountsPerHour: 30,
  webSockets: 100,
  rateExempt: [],
};

/** Each setting's environment variable. */
export const LIMIT_ENV: Record<Exclude<keyof LimitSettings, 'rateExempt'>, string> = {
  commandRate: 'MUD_COMMAND_RATE',
  commandBurst: 'MUD_COMMAND_BURST',
  connections: 'MUD_LIMIT_CONNECTIONS',
  connectsPerMinute: 'MUD_LIMIT_CONNECTS_PER_MINUTE',
  loginScreen: 'MUD_LIMIT_LOGIN_SCREEN',
  accountsPerHour: 'MUD_LIMIT_ACCOUNTS_PER_HOUR',
  webSockets: 'MUD_LIMIT_WEB_SOCKETS',
};

/**
 * The config file's `limits` block, then the environment. `count` reads one whole-number
 * variable (config.ts's reader, so a bad value is reported like every other setting); `fail`
 * reports anything else.
 */
export function limitsConfig(
  env: Record<string, string | undefined>,
  file: Partial<LimitSettings> | undefined,
  count: (name: string, fallback: number) => number,
  fail: (message: string) => never,
): LimitSettings {
  const base: LimitSettings = { ...DEFAULT_LIMITS, ...file };
  const settings = { ...base };
  for (const [key, name] of Object.entries(LIMIT_ENV) as Array<[keyof typeof LIMIT_ENV, string]>) {
    settings[key] = count(name, base[key]);
  }
  const rawExempt = env.MUD_RATE_EXEMPT;
  if (rawExempt !== undefined) settings.rateExempt = rawExempt.split(',').map((s) => s.trim()).filter(Boolean);
  else if (!Array.isArray(base.rateExempt)) fail('limits.rateExempt in the config file should be a list of addresses and CIDR ranges');
  try {
    new AddressSet(settings.rateExempt);
  } catch (error) {
    fail(`${rawExempt !== undefined ? 'MUD_RATE_EXEMPT' : 'limits.rateExempt'}: ${(error as Error).message}`);
  }
  return settings;
}
