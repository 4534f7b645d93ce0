/**
 * Settings of the operators' console (/admin) and of /metrics: `GameConfig.admin`, from the JSON
 * config file's `admin` block and MUD_ADMIN_CONSOLE / MUD_METRICS / MUD_METRICS_TOKEN
 * (server/config.ts), then, for tests, the web front end's options, which win.
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
