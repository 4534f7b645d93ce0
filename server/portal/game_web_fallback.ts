/**
 * What the portal answers itself on the web port for the routes that need the game (/health,
 * /metrics, /admin) while no game takes them: mid-reload, in the crash backoff, or down for
 * good. A monitor sees the state instead of a hung request or a connection refused: /health is
 * 503 with the state in JSON, /metrics the portal's own gauges with `mud_game_up 0`, and the
 * console a page (or a JSON error for its API) saying to retry, with Retry-After.
 */
import type { Request, Response } from 'express';
import { resolveAdminSettings, type GameConfig } from '../config.ts';
import { connectionsFamily, crashRestartsFamily, Exposition, reloadsFamily, METRICS_CONTENT_TYPE, metricsAccess, type Labels } from '../console/metrics.ts';
import type { ReloadCounters } from '../link/protocol.ts';
import { requestAddress } from '../web/guards.ts';
import { escapeHtml } from '../web/page.ts';
import type { PortalSessions } from './connections.ts';
import type { GameState } from './supervisor.ts';

/** Why no game answers: the supervisor's state, or `unreachable` when it says running but its socket did not answer. */
export type NoGameState = Exclude<GameState, 'running'> | 'unreachable';

export const GAME_STATES: readonly GameState[] = ['starting', 'running', 'reloading', 'down', 'stopping'];

/** Seconds a client should wait before asking again: a reload takes about one. */
export const RETRY_AFTER_SECONDS = 2;

export interface PortalWebFacts {
  readonly config: GameConfig;
  readonly sessions: PortalSessions;
  readonly counters: ReloadCounters;
  readonly startedAt: Date;
}

function sentence(state: NoGameState): string {
  switch (state) {
    case 'starting':
    case 'reloading':
      return 'The game is reloading; retry in a moment.';
    case 'stopping':
      return 'The server is stopping.';
    case 'unreachable':
      return 'The game is not answering; retry in a moment.';
    case 'down':
      // Also the crash backoff (a restart is a moment away) as well as a game that will not start.
      return 'The game is not running: it is restarting after a crash, or down until an operator fixes it (players stay connected). Retry in a moment.';
  }
}

/** The portal's own families, with or without a game: whether one is up, and in which state. */
export function gameGauges(out: Exposition, state: GameState | 'unreachable'): Exposition {
  return out
    .family('mud_game_up', 'gauge', '1 while a game process is attached to the portal and answering.', state === 'running' ? 1 : 0)
    .family('mud_game_state', 'gauge', "The portal's view of the game process: 1 for the current state.", [...GAME_STATES, 'unreachable'].map((s): [Labels, number] => [{ state: s }, s === state ? 1 : 0]));
}

/** The metrics the portal has without a game; the same names as the game's where they mean the same. */
function portalMetrics(facts: PortalWebFacts, state: NoGameState): string {
  return gameGauges(new Exposition(), state)
    .family('mud_players_online', 'gauge', 'Sessions logged in to an account.', facts.sessions.loggedIn().length)
    .family(...connectionsFamily(facts.sessions.describe().map((c) => c.protocol)))
    .family(...reloadsFamily(facts.counters.reloads))
    .family(...crashRestartsFamily(facts.counters.crashRestarts))
    .family('mud_portal_uptime_seconds', 'gauge', 'Seconds since the portal started.', Math.floor((Date.now() - facts.startedAt.getTime()) / 1000))
    .family('process_resident_memory_bytes', 'gauge', 'Resident memory of the portal process.', process.memoryUsage.rss())
    .family('process_start_time_seconds', 'gauge', 'When the portal process started (Unix time).', Math.floor(Date.now() / 1000 - process.uptime()))
    .toString();
}

/** The answer to a request for the game's routes while there is no game to pass it to. */
export function answerWithoutGame(facts: PortalWebFacts, state: NoGameState, req: Request, res: Response): void {
  const path = req.originalUrl.split('?')[0]!;
  const settings = resolveAdminSettings(facts.config.admin);
  const why = sentence(state);
  res.set('Cache-Control', 'no-store');
  if (path === '/health') {
    res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(503).json({
      up: false,
      game: state,
      message: why,
      uptime_seconds: Math.floor((Date.now() - facts.startedAt.getTime()) / 1000),
      players_online: facts.sessions.loggedIn().length,
    });
    return;
  }
  if (path === '/metrics') {
    // The same rule as the game's /metrics (server/console/metrics.ts), on the same address.
    const status = metricsAccess(settings, requestAddress(req, facts.config.webTrustProxy), req.headers, false);
    if (status === 404) return void res.status(404).type('text').send('Not found.\n');
    if (status === 403) return void res.status(403).type('text').send('Metrics are served to loopback addresses only (see admin.metrics in the configuration).\n');
    // 200: the scrape works, and says the game is not up.
    return void res.type(METRICS_CONTENT_TYPE).send(portalMetrics(facts, state));
  }
  if (!settings.enabled) return void res.status(404).type('text').send('Not found.\n');
  res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  if (path.startsWith('/admin/api/') || path.startsWith('/admin/socket.io')) return void res.status(503).json({ error: why, game: state });
  res.set('X-Robots-Tag', 'noindex');
  res
    .status(503)
    .type('html')
    .send(
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(facts.config.serverName)} audit console</title></head>` +
        `<body><h1>Audit console</h1><p>${escapeHtml(why)}</p><p><a href="/admin/">Retry</a></p></body></html>\n`,
    );
}
