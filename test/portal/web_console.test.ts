/**
 * /admin, /metrics and /health under `npm start`: the portal passes them to the game's private
 * socket with the client's real address (so the console's checks and audit see who asked, and
 * nobody can claim another address), and answers them itself, with the game's state, while no
 * game is attached.
 */
import fs from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER, CLIENT_PROTO_HEADER } from '../../server/web/guards.ts';
import { PASSWORD } from '../support/game.ts';
import { TailClient } from '../web_admin/support.ts';
import { TestWebClient } from '../web/support.ts';
import { npmRun, trackPortals } from './helpers.ts';

const ELSEWHERE = '198.51.100.7';

async function consoleLogin(url: string, name: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/admin/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mud-admin': '1', ...headers },
    body: JSON.stringify({ name, password }),
  });
  return { status: response.status, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? null };
}

describe('the console, /metrics and /health through the portal', () => {
  const startPortal = trackPortals();

  it('passes them to the game with the real client address, and says the game is down while it is', { timeout: 120_000 }, async () => {
    const broken = path.join(process.env.TMPDIR ?? '/tmp', `mud-broken-web-${process.pid}-${Date.now()}`);
    // Behind a trusted proxy the client is X-Forwarded-For's last entry: one way to come from elsewhere on loopback.
    const portal = await startPortal({ env: { MUD_WEB: 'on', MUD_WEB_TRUST_PROXY: 'on', MUD_TEST_BROKEN_GAME_FILE: broken } });
    const url = portal.webUrl();
    const web = await TestWebClient.connect(url);
    await web.waitFor('Welcome to', 30_000);
    await web.command(`create Keeper ${PASSWORD}`, 'You become Keeper');
    await web.command(`claim ${await portal.adminToken()}`, 'You are now the Developer');

    // The game answers, and the portal adds whether a game is up.
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ up: true, players_online: 1 });
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^mud_connections\{protocol="web"\} 1$/m);
    expect(text).toMatch(/^# TYPE mud_audit_events_written_total counter$/m);
    expect(text).toMatch(/^mud_players_online 1$/m);
    expect(text).toMatch(/^mud_game_up 1$/m);

    // The loopback check sees the client, not the portal: refused from elsewhere, even when the
    // client writes the portal's own header.
    expect((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': ELSEWHERE } })).status).toBe(403);
    expect((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': ELSEWHERE, [CLIENT_ADDRESS_HEADER]: '127.0.0.1' } })).status).toBe(403);
    // A failed console login is audited with that address.
    expect((await consoleLogin(url, 'Keeper', 'not-the-password', { 'x-forwarded-for': ELSEWHERE })).status).toBe(401);
    await expect
      .poll(() => portal.log('player_activity.log'), { timeout: 10_000 })
      .toContainEqual(expect.stringMatching(new RegExp(`AUDIT LOGIN FAILED: from ${ELSEWHERE.replaceAll('.', '\\.')} via web-admin \\(wrong password\\) name 'Keeper'$`)));

    // Nor can a client claim https over plain http with the portal's other header: the cookie
    // is Secure only when the portal itself served https.
    const spoofed = await fetch(`${url}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mud-admin': '1', [CLIENT_PROTO_HEADER]: 'https' },
      body: JSON.stringify({ name: 'Keeper', password: PASSWORD }),
    });
    expect(spoofed.status).toBe(200);
    expect(spoofed.headers.get('set-cookie')).toMatch(/^mud_admin=[^;]+; HttpOnly/);
    expect(spoofed.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);

    // The console works through the portal, its live tail's WebSocket too.
    const login = await consoleLogin(url, 'Keeper', PASSWORD);
    expect(login.status).toBe(200);
    expect((await fetch(`${url}/admin/api/me`, { headers: { cookie: login.cookie! } })).status).toBe(200);
    const socket = io(`${url}/admin`, { path: '/admin/socket.io', transports: ['websocket'], extraHeaders: { cookie: login.cookie! }, reconnection: false, forceNew: true });
    const tail = new TailClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await web.command('say for the record', 'You say');
    expect((await tail.waitFor((e) => e.event_type === 'say')).actor.character).toBe('Keeper');
    tail.close();

    try {
      // A game that cannot load any more, and dies: the portal's restart fails, so no game is attached.
      fs.writeFileSync(broken, 'SyntaxError: simulated');
      process.kill((await portal.status()).game.pid!, 'SIGKILL');
      await web.waitFor('The game could not be started', 30_000);
      expect((await portal.status()).game.state).toBe('down');

      const down = await fetch(`${url}/health`);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await down.json()).toMatchObject({ up: false, game: 'down', players_online: 1 });
      const portalMetrics = await fetch(`${url}/metrics`);
      expect(portalMetrics.status).toBe(200);
      const own = await portalMetrics.text();
      expect(own).toMatch(/^mud_game_up 0$/m);
      expect(own).toMatch(/^mud_game_state\{state="down"\} 1$/m);
      expect(own).toMatch(/^mud_players_online 1$/m);
      expect(own).toMatch(/^mud_crash_restarts_total 0$/m);
      // The same access rule when the portal answers.
      expect((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': ELSEWHERE } })).status).toBe(403);
      const page = await fetch(`${url}/admin/`);
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('down until an operator fixes it');
      const api = await fetch(`${url}/admin/api/me`, { headers: { cookie: login.cookie! } });
      expect(api.status).toBe(503);
      expect(await api.json()).toMatchObject({ game: 'down' });
      // The webclient itself is the portal's: it still loads.
      expect((await fetch(`${url}/`)).status).toBe(200);
    } finally {
      fs.rmSync(broken, { force: true });
    }

    // Fixed: a reload brings the game back, and with it the game's answers.
    expect((await npmRun(portal, 'reload')).code).toBe(0);
    await web.waitFor('The game is back.', 30_000);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^mud_game_up 1$/m);
    // The console login made before the crash and the reload still holds: it is kept in the
    // database (by its hash), not in the old game's memory. Logging out ends it for good.
    expect((await fetch(`${url}/admin/api/me`, { headers: { cookie: login.cookie! } })).status).toBe(200);
    expect((await fetch(`${url}/admin/api/logout`, { method: 'POST', headers: { cookie: login.cookie!, 'x-mud-admin': '1' } })).status).toBe(204);
    expect((await fetch(`${url}/admin/api/me`, { headers: { cookie: login.cookie! } })).status).toBe(401);
    expect((await consoleLogin(url, 'Keeper', PASSWORD)).status).toBe(200);
    await web.command('look', 'Limbo');
    expect(web.disconnectReason).toBeNull();
    web.close();
  });
});
