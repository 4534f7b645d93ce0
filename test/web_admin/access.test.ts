/**
 * Who may use the audit console: anonymous visitors and players get 401/403 and never data, on
 * the HTTP APIs and on the live-tail socket; failed logins are audited and locked out exactly
 * as the telnet `connect` is; logout ends the session.
 */
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD } from '../support/game.ts';
import { ADMIN, startAdminGame } from './support.ts';

const APIS = ['/admin/api/me', '/admin/api/characters', '/admin/api/events', '/admin/api/events?type=say', '/admin/api/history?character=Warden', '/admin/api/stats', '/admin/api/nothing-here'];

describe('the audit console refuses whoever is not an Admin', () => {
  const start = stopAfterEach(startAdminGame);

  it('serves the page to anyone, under the strict CSP, with no inline script', async () => {
    const run = await start();
    for (const path of ['/admin', '/admin/', '/admin/index.html']) {
      const response = await run.get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      const html = await response.text();
      expect(html).toContain('id="loginform"');
      // Every script is a file from this server; no inline script, no inline style.
      expect(html.match(/<script\b[^>]*>/g)!.every((tag) => /\bsrc="\/(socket\.io|admin)\//.test(tag))).toBe(true);
      expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>|\sstyle=|\son[a-z]+=/i);
    }
    const js = await run.get('/admin/admin.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await run.get('/admin/admin.css')).status).toBe(200);
  });

  it('answers 401 to anonymous API calls and refuses their sockets', async () => {
    const run = await start();
    for (const path of APIS) {
      const response = await run.get(path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys((await response.json()) as object)).toEqual(['error']);
    }
    // A made-up or malformed session id is no better.
    for (const cookie of ['mud_admin=' + 'A'.repeat(43), 'mud_admin=<script>', 'other=1']) {
      expect((await run.get('/admin/api/characters', cookie)).status).toBe(401);
      await expect(run.tail(cookie)).rejects.toThrow();
    }
    await expect(run.tail(null)).rejects.toThrow();
    // The webclient's socket.io server has no /admin namespace.
    await expect(run.tail(null, { path: '/socket.io' })).rejects.toThrow(/Invalid namespace/);
  });

  it('refuses a player with the right password (403, audited, no cookie) and never counts it as a guess', async () => {
    const run = await start();
    const pleb = await run.login('Pleb');
    await pleb.command('say I would like to read the logs', 'You say');
    for (let i = 0; i < 6; i++) {
      const result = await run.consoleLogin('Pleb', PASSWORD);
      expect(result.status).toBe(403);
      expect(result.setCookie).toBeNull();
      expect(result.body.error).toMatch(/Admin permission/);
    }
    const lines = await run.logs.lines('player_activity.log');
    expect(lines.filter((l) => l.endsWith("AUDIT LOGIN FAILED: from 127.0.0.1 via web-admin (not an admin) name 'Pleb'"))).toHaveLength(6);
    // Not a lock-out: the player still plays (and the admin still logs in).
    const again = await run.connect();
    await again.command(`connect Pleb ${PASSWORD}`, 'You become Pleb');
    expect((await run.consoleLogin(ADMIN)).status).toBe(200);
  });

  it('answers a wrong password with 401 and a login_failed (name and address, never the password)', async () => {
    const run = await start();
    const wrong = 'not-the-password-42';
    const result = await run.consoleLogin(ADMIN, wrong);
    expect(result.status).toBe(401);
    expect(result.setCookie).toBeNull();
    expect(result.body).toEqual({ error: 'Wrong name or password.' });
    expect((await run.consoleLogin('Nobody', wrong)).status).toBe(401);
    const lines = await run.logs.lines('player_activity.log');
    expect(lines.some((l) => / \| mud\.accounts \| WARN \| AUDIT LOGIN FAILED: from 127\.0\.0\.1 via web-admin \(wrong password\) name 'Warden'$/.test(l))).toBe(true);
    expect(lines.some((l) => /AUDIT LOGIN FAILED: from 127\.0\.0\.1 via web-admin \(no such account\) name '\?[0-9a-f]{12}'$/.test(l))).toBe(true);
    await run.game.auditTrail.flush();
    expect(await run.logs.everything()).not.toContain(wrong);
    const failed = (await run.game.auditReader.search({ types: ['login_failed'], limit: 10 }));
    expect(failed.map((r) => [r.protocol, r.remote_addr, JSON.parse(r.payload).name_tried])).toEqual([
      ['web-admin', '127.0.0.1', expect.stringMatching(/^\?[0-9a-f]{12}$/)],
      ['web-admin', '127.0.0.1', 'Warden'],
    ]);
    // The owner hears of it at the next game login, as after a failed telnet login.
    const warden = await run.connect();
    await warden.command(`connect ${ADMIN} ${PASSWORD}`, 'You become Warden');
    await warden.waitFor('there were 1 failed login attempt(s)');
  });

  it('locks out after repeated failures, shared with telnet, and audits the lock-out', async () => {
    const run = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await run.consoleLogin(ADMIN, `guess-number-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    // Now even the right password is refused from this address, from the console...
    const locked = await run.consoleLogin(ADMIN, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.setCookie).toBeNull();
    expect(locked.body.error).toMatch(/Too many failed logins for this address/);
    // ...and from telnet, which shares the guard.
    const telnet = await run.connect();
    await telnet.command(`connect ${ADMIN} ${PASSWORD}`, 'Too many failed logins');
    const lines = await run.logs.lines('player_activity.log');
    expect(lines.filter((l) => /AUDIT LOGIN LOCKED: from 127\.0\.0\.1 via web-admin \(\d+ failures; refused for \d+s\) name 'Warden'$/.test(l)).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses state-changing requests from other sites (custom header, Origin, Sec-Fetch-Site)', async () => {
    const run = await start();
    const noHeader = await fetch(`${run.url}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: ADMIN, password: PASSWORD }),
    });
    expect(noHeader.status).toBe(403);
    expect((await run.consoleLogin(ADMIN, PASSWORD, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await run.consoleLogin(ADMIN, PASSWORD, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // A form post (not JSON) is refused too.
    const form = await fetch(`${run.url}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mud-admin': '1' },
      body: `name=${ADMIN}&password=${PASSWORD}`,
    });
    expect(form.status).toBe(400);
    // Same origin is fine.
    expect((await run.consoleLogin(ADMIN, PASSWORD, { origin: run.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // The live socket accepts only our own page's origin.
    const cookie = await run.adminCookie();
    await expect(run.tail(cookie, { headers: { origin: 'https://evil.example' } })).rejects.toThrow();
    const ok = await run.tail(cookie, { headers: { origin: run.url } });
    ok.close();
  });

  it('sets a strict session cookie, and Secure behind an https proxy', async () => {
    const run = await start({ config: { webTrustProxy: true } });
    const plain = await run.consoleLogin(ADMIN);
    expect(plain.status).toBe(200);
    const attributes = plain.setCookie!.split(';').map((s) => s.trim());
    expect(attributes[0]).toMatch(/^mud_admin=[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(attributes.slice(1).sort()).toEqual(['HttpOnly', 'Path=/admin', 'SameSite=Strict']);
    const proxied = await run.consoleLogin(ADMIN, PASSWORD, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.4' });
    expect(proxied.setCookie!.split(';').map((s) => s.trim())).toContain('Secure');
    expect(proxied.cookie).not.toBe(plain.cookie);
    await run.game.auditTrail.flush();
    const ok = (await run.game.auditReader.search({ types: ['login_ok'], limit: 5 })).map((r) => [r.account, r.protocol, r.remote_addr, JSON.parse(r.payload)]);
    expect(ok).toEqual(
      expect.arrayContaining([
        [ADMIN, 'web-admin', '127.0.0.1', { via: 'admin' }],
        [ADMIN, 'web-admin', '198.51.100.4', { via: 'admin' }],
      ]),
    );
  });

  it('logout invalidates the cookie and closes its live socket; other sessions go on', async () => {
    const run = await start();
    const cookie = await run.adminCookie();
    const other = await run.adminCookie();
    expect(other).not.toBe(cookie);
    expect((await run.get('/admin/api/me', cookie)).status).toBe(200);
    const tail = await run.tail(cookie);
    const otherTail = await run.tail(other);
    const response = await run.post('/admin/api/logout', cookie);
    expect(response.status).toBe(204);
    expect(response.headers.get('set-cookie')).toMatch(/^mud_admin=; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=0/);
    await expect.poll(() => tail.disconnected).not.toBeNull();
    expect(tail.ended).toBe(true);
    for (const path of APIS) expect((await run.get(path, cookie)).status).toBe(401);
    await expect(run.tail(cookie)).rejects.toThrow();
    // The other session is untouched.
    expect((await run.get('/admin/api/me', other)).status).toBe(200);
    expect(otherTail.disconnected).toBeNull();
    // Logging out twice, or without a session, is harmless.
    expect((await run.post('/admin/api/logout', cookie)).status).toBe(204);
    expect((await run.post('/admin/api/logout', null)).status).toBe(204);
    await run.game.auditTrail.flush();
    const logouts = (await run.game.auditReader.search({ types: ['logout'], limit: 5 }));
    expect(logouts.map((r) => [r.account, r.protocol, JSON.parse(r.payload)])).toEqual([[ADMIN, 'web-admin', { reason: 'logout', via: 'admin' }]]);
  });

  it('an Admin who loses the permission gets 403 at once, and their live socket is closed', async () => {
    const run = await start({ admin: { sweepMs: 100 } });
    await run.game.accounts.create('Deputy', PASSWORD);
    const deputy = run.game.accounts.byName('Deputy')!;
    deputy.setPermissions(['Admin']);
    const login = await run.consoleLogin('Deputy');
    expect(login.status).toBe(200);
    const tail = await run.tail(login.cookie);
    deputy.setPermissions(['Player']);
    expect((await run.get('/admin/api/characters', login.cookie)).status).toBe(403);
    await expect(run.tail(login.cookie)).rejects.toThrow();
    await expect.poll(() => tail.disconnected, { timeout: 10_000 }).not.toBeNull();
    // A Builder is not enough either.
    deputy.setPermissions(['Builder']);
    expect((await run.consoleLogin('Deputy')).status).toBe(403);
  });

  it('can be switched off, page files and /metrics too', async () => {
    const run = await start({ admin: { enabled: false, metrics: 'off' } });
    for (const path of ['/admin', '/admin/index.html', '/admin/admin.js', '/admin/api/me', '/metrics']) {
      expect((await run.get(path)).status, path).toBe(404);
    }
    expect((await run.consoleLogin(ADMIN)).status).toBe(404);
    await expect(run.tail(null)).rejects.toThrow();
    expect((await run.get('/')).status).toBe(200);
  });
});
