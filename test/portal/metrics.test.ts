/**
 * /metrics under `npm start` counts what the portal went through: reloads, crash restarts, and
 * how long the reload that started the game now serving took.
 */
import { describe, expect, it } from 'vitest';
import { askServer } from '../../server/portal/control.ts';
import { until } from '../support/wait.ts';
import { trackPortals, type Portal } from './helpers.ts';

/** The web port the portal printed (it serves it; /metrics it passes to the game of the moment). */
function webPort(portal: Portal): number {
  const found = /Web client on http:\/\/[^:]+:(\d+)\//.exec(portal.server.stdout());
  if (!found) throw new Error(`no web port in:\n${portal.server.stdout()}`);
  return Number(found[1]);
}

async function metrics(portal: Portal): Promise<(series: string) => number | undefined> {
  const response = await fetch(`http://127.0.0.1:${webPort(portal)}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return (series) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
}

describe('/metrics under the portal', () => {
  const startPortal = trackPortals();

  it('counts reloads and crash restarts, and gives the last reload its duration', { timeout: 120_000 }, async () => {
    const portal = await startPortal({ env: { MUD_WEB: 'on' } });
    let value = await metrics(portal);
    expect([value('mud_reloads_total'), value('mud_crash_restarts_total'), value('mud_last_reload_seconds')]).toEqual([0, 0, undefined]);

    expect(await askServer(portal.env.MUD_DATA_DIR, { cmd: 'reload' })).toMatchObject({ ok: true });
    value = await metrics(portal);
    expect([value('mud_reloads_total'), value('mud_crash_restarts_total')]).toEqual([1, 0]);
    expect(value('mud_last_reload_seconds')).toBeGreaterThan(0);

    process.kill((await portal.status()).game.pid!, 'SIGKILL');
    expect(await until(async () => (await portal.status()).game.state === 'running' && (await portal.status()).game.crashRestarts === 1, 30_000, 50)).toBe(true);
    value = await metrics(portal);
    expect([value('mud_reloads_total'), value('mud_crash_restarts_total')]).toEqual([1, 1]);
    // A crash restart's duration includes the backoff before it (0.2 s for the first).
    expect(value('mud_last_reload_seconds')).toBeGreaterThanOrEqual(0.2);
  });
});
