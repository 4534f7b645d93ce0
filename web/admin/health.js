/**
 * The console's Health view: the audit sinks' counters (`@audit/stats`), players online,
 * connections, memory and disk; loaded each time the view is opened, and on Refresh.
 */
import { $, api, describe, onTabShown } from './common.js';

async function loadHealth() {
  try {
    const h = await api('stats');
    const trail = h.trail;
    const error = (/** @type {any} */ s) => (s.lastError ? `${s.lastError} (at ${s.lastErrorAt ?? '?'})` : 'none');
    /** @type {Array<[string, unknown]>} */
    const sinks = [];
    for (const s of trail.sinks) {
      sinks.push(
        [`Sink ${s.name}`, `${s.failing ? 'FAILING' : 'ok'}, at seq ${s.cursor}`],
        ['  written / dropped', `${s.written} / ${s.dropped}`],
        ['  lag', `${s.lagEvents} event(s), ${Number(s.lagSeconds).toFixed(1)} s`],
        ['  last error', error(s)],
      );
    }
    describe($('health'), [
      ['Players online', h.players_online],
      ['Connections', h.connections],
      ['Uptime', `${h.uptime_seconds} s`],
      ['Server memory (RSS)', `${Math.round(h.rss_bytes / 1048576)} MiB`],
      ...(h.disk ?? []).map((/** @type {any} */ d) => [`Disk free under ${d.path}`, `${Math.round(d.freeBytes / 1048576)} MiB`]),
      ['Newest audit event', `seq ${trail.lastSeq}`],
      ['Audit backlog', `${trail.backlog} of at most ${trail.backlogMax}${trail.refusing ? ' (FULL: commands refused)' : ''}`],
      ...sinks,
      ['Console sessions / live tabs', `${h.adminSessions} / ${h.liveSockets}`],
      ['Live events skipped (slow tabs)', h.liveSkipped],
    ]);
  } catch (error) {
    describe($('health'), [['Error', error instanceof Error ? error.message : String(error)]]);
  }
}
$('health-refresh').addEventListener('click', () => void loadHealth());
onTabShown('health', () => void loadHealth());
