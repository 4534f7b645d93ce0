/**
 * GET /metrics: the health of the game and its audit sinks in the Prometheus text format
 * (version 0.0.4). Who may read it is `AdminSettings.metrics` (loopback addresses by default)
 * plus an optional bearer token; see README.md here.
 */
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuditTrailStats } from '../audit/trail.ts';
import { diskSpace } from '../disk_space.ts';
import type { ConsolePorts } from './ports.ts';
import { clientAddress } from '../web/guards.ts';
import type { AdminSettings } from '../config.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** 127.0.0.0/8 and ::1 (an IPv4-mapped address has been unwrapped by clientAddress). */
export function isLoopback(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1';
}

function tokenMatches(headers: IncomingHttpHeaders, token: string): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (!m) return false;
  const given = crypto.createHash('sha256').update(m[1]!).digest();
  const wanted = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(given, wanted);
}

/**
 * 200 when this request may read the metrics, 403 when not, 404 when metrics are off. The
 * address is the one the webclient would record (X-Forwarded-For's last entry with trustProxy).
 */
export function metricsAccess(
  settings: Pick<AdminSettings, 'metrics' | 'metricsToken'>,
  socketAddress: string | undefined,
  headers: IncomingHttpHeaders,
  trustProxy: boolean,
): 200 | 403 | 404 {
  if (settings.metrics === 'off') return 404;
  if (settings.metrics === 'open') return 200;
  if (tokenMatches(headers, settings.metricsToken)) return 200;
  return isLoopback(clientAddress(socketAddress, headers, trustProxy)) ? 200 : 403;
}

export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Builds the exposition text: each family's HELP and TYPE once, then its samples (the game's, and the portal's own). */
export class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Labels, number]> | number): this {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    const list: Array<[Labels, number]> = typeof samples === 'number' ? [[{}, samples]] : samples;
    for (const [labels, value] of list) {
      const entries = Object.entries(labels);
      const text = entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      this.lines.push(`${name}${text} ${number(value)}`);
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const seconds = (iso: string | null | undefined): number => (iso ? Date.parse(iso) / 1000 : 0);
const flag = (value: boolean): number => (value ? 1 : 0);

export interface ConsoleCounters {
  adminSessions: number;
  liveSockets: number;
  liveForwarded: number;
  liveSkipped: number;
}

/** The portal's counters, in the game's /metrics and in the portal's own while no game is up. */
export const reloadsFamily = (n: number) => ['mud_reloads_total', 'counter', 'Game reloads under the portal (@reload, npm run reload, SIGUSR2) since the portal started.', n] as const;
export const crashRestartsFamily = (n: number) => ['mud_crash_restarts_total', 'counter', 'Game processes the portal restarted after a crash since it started.', n] as const;

/**
 * mud_connections: open connections by protocol, each protocol from the start (a series that
 * appears only once someone connects breaks rate() and alerts). The game's and the portal's.
 */
export function connectionsFamily(protocols: Iterable<string>): [string, 'gauge', string, Array<[Labels, number]>] {
  const byProtocol = new Map<string, number>([
    ['telnet', 0],
    ['telnet+tls', 0],
    ['web', 0],
  ]);
  for (const protocol of protocols) byProtocol.set(protocol, (byProtocol.get(protocol) ?? 0) + 1);
  return ['mud_connections', 'gauge', 'Open game connections (logged in or not), by protocol.', [...byProtocol].map(([protocol, n]): [Labels, number] => [{ protocol }, n])];
}

/** The metrics text for a game now. */
export function renderMetrics(game: ConsolePorts, consoleCounters: ConsoleCounters): string {
  const stats: AuditTrailStats = game.auditTrail.stats();
  type Sink = AuditTrailStats['sinks'][number];
  const perSink = (value: (s: Sink) => number): Array<[Labels, number]> => stats.sinks.map((s) => [{ sink: s.name }, value(s)]);
  const errors = stats.sinks.filter((s) => s.lastError).map((s): [Labels, number] => [{ sink: s.name, error: s.lastError!.slice(0, 200) }, 1]);

  const reloads = game.reloads?.() ?? { reloads: 0, crashRestarts: 0, lastReloadMs: null };
  const out = new Exposition()
    .family('mud_audit_events_written_total', 'counter', 'Audit events delivered to each sink by the audit worker.', perSink((s) => s.written))
    .family('mud_audit_events_dropped_total', 'counter', 'Audit events a sink never got (MUD_AUDIT_ON_FULL=drop with a full backlog; 0 normally).', perSink((s) => s.dropped))
    .family('mud_audit_queue_depth', 'gauge', 'Committed audit events waiting in the outbox for each sink (its lag in events).', perSink((s) => s.lagEvents))
    .family('mud_audit_sink_lag_seconds', 'gauge', 'Age of the oldest audit event each sink has not taken yet (0: caught up).', perSink((s) => s.lagSeconds))
    .family('mud_audit_sink_cursor', 'gauge', 'seq of the newest audit event each sink holds durably.', perSink((s) => s.cursor))
    .family('mud_audit_sink_failing', 'gauge', '1 while the sink cannot write (it retries with backoff; the outbox keeps its events).', perSink((s) => flag(s.failing)))
    .family('mud_audit_last_error_timestamp_seconds', 'gauge', 'When the last write error of each sink happened (0: never).', perSink((s) => seconds(s.lastErrorAt)))
    .family('mud_audit_last_error_info', 'gauge', 'The last write error of each sink, as a label (no sample: none).', errors)
    .family('mud_audit_last_seq', 'gauge', 'seq of the newest committed audit event.', stats.lastSeq)
    .family('mud_audit_backlog_events', 'gauge', 'Events the furthest-behind sink has not taken (bounded by MUD_AUDIT_BACKLOG_MAX).', stats.backlog)
    .family('mud_audit_backlog_max_events', 'gauge', 'MUD_AUDIT_BACKLOG_MAX.', stats.backlogMax)
    .family('mud_audit_refusing_commands', 'gauge', '1 while commands are refused because the audit backlog is full.', flag(stats.refusing))
    .family('mud_audit_last_prune_timestamp_seconds', 'gauge', 'When retention last ran (0: not yet).', seconds(stats.lastPrune?.at))
    .family('mud_audit_last_prune_rows', 'gauge', 'Table rows the last retention run removed.', stats.lastPrune?.rows ?? 0)
    .family('mud_players_online', 'gauge', 'Sessions logged in to an account.', game.sessions.loggedIn().length)
    .family(...connectionsFamily(game.sessions.all().map((s) => s.protocol)))
    .family('mud_objects', 'gauge', 'Objects in the world.', game.objects.count)
    .family('mud_uptime_seconds', 'gauge', 'Seconds since the game started.', Math.floor((Date.now() - game.startedAt.getTime()) / 1000))
    .family(...reloadsFamily(reloads.reloads))
    .family(...crashRestartsFamily(reloads.crashRestarts))
    .family('mud_last_reload_seconds', 'gauge', 'How long the reload that started this game process took, from the request to taking over (no sample: none yet).', reloads.lastReloadMs === null ? [] : reloads.lastReloadMs / 1000)
    .family('mud_admin_sessions', 'gauge', 'Logged-in sessions of the web audit console.', consoleCounters.adminSessions)
    .family('mud_admin_live_sockets', 'gauge', 'Live-tail sockets of the web audit console.', consoleCounters.liveSockets)
    .family('mud_admin_live_events_forwarded_total', 'counter', 'Audit events queued for live-tail sockets.', consoleCounters.liveForwarded)
    .family('mud_admin_live_events_skipped_total', 'counter', 'Audit events skipped for a live-tail socket that did not keep up.', consoleCounters.liveSkipped)
    .family('mud_disk_free_bytes', 'gauge', 'Free space under the data and log directories (a full disk stops commits and sinks).', diskSpace([game.config.dataDir, game.config.logDir]).map((d): [Labels, number] => [{ path: d.path }, d.freeBytes]))
    .family('process_resident_memory_bytes', 'gauge', 'Resident memory of the server process.', process.memoryUsage.rss())
    .family('process_start_time_seconds', 'gauge', 'When the server process started (Unix time).', Math.floor(Date.now() / 1000 - process.uptime()));
  return out.toString();
}
