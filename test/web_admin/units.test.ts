/** The console's pieces on their own: the bounded live tail, sessions, cookies, /metrics access, settings. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditEvent, type AuditEvent } from '../../server/audit/events.ts';
import { LiveTail, type TailBatch } from '../../server/console/live_tail.ts';
import { isLoopback, metricsAccess } from '../../server/console/metrics.ts';
import { AdminSessions, cameOverHttps, cookieValue, sessionCookie } from '../../server/console/sessions.ts';
import { AdminSettingsError, DEFAULT_ADMIN_SETTINGS, resolveAdminSettings } from '../../server/config.ts';
import { ConsoleSessionStore, ObjectStore } from '../../server/store/index.ts';
import { tempDir } from '../support/temp_dir.ts';

const actor = { account: 'Anna', character: 'Anna', session_id: 1, protocol: 'telnet', remote_addr: '127.0.0.1' };
const event = (n: number): AuditEvent => auditEvent('say', actor, { payload: { text: `line ${n}` } });
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the live tail', () => {
  it('sends in batches, in order, off the caller path', async () => {
    const tail = new LiveTail({ queue: 100, batch: 10, unsent: 4 });
    const batches: TailBatch[] = [];
    const subscriber = tail.subscribe((b) => batches.push(b));
    for (let i = 0; i < 25; i++) tail.sink(event(i));
    expect(batches).toEqual([]); // nothing sent on the game's path
    await turn();
    expect(batches.map((b) => b.events.length)).toEqual([10, 10, 5]);
    expect(batches.flatMap((b) => b.events.map((e) => e.payload.text))).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i}`));
    expect(batches.every((b) => b.skipped === 0)).toBe(true);
    tail.unsubscribe(subscriber);
    tail.sink(event(99));
    await turn();
    expect(batches).toHaveLength(3);
  });

  it('holds a bounded queue for a socket that stops reading, and says how many it skipped', async () => {
    const limits = { queue: 50, batch: 10, unsent: 2 };
    const tail = new LiveTail(limits);
    const slow: TailBatch[] = [];
    const fast: TailBatch[] = [];
    const stuck = tail.subscribe((b) => slow.push(b)); // never drains
    const healthy = tail.subscribe((b) => fast.push(b));
    for (let round = 0; round < 500; round++) {
      for (let i = 0; i < 20; i++) tail.sink(event(round * 20 + i));
      await turn();
      healthy.drained();
      expect(stuck.queued).toBeLessThanOrEqual(limits.queue);
      expect(stuck.inFlight).toBeLessThanOrEqual(limits.unsent);
    }
    await turn();
    // The stuck socket got its two batches' worth, then only a bounded queue was kept.
    expect(slow.flatMap((b) => b.events)).toHaveLength(limits.unsent * limits.batch);
    expect(stuck.queued).toBe(limits.queue);
    // The healthy one, sharing the bus, got everything.
    expect(fast.flatMap((b) => b.events)).toHaveLength(10_000);
    expect(tail.skippedTotal).toBe(10_000 - limits.unsent * limits.batch - limits.queue);
    // Once it drains, the newest events come, with the count of those skipped.
    stuck.drained();
    await turn();
    expect(slow[2]!.skipped).toBe(tail.skippedTotal);
    expect(slow[2]!.events[0]!.payload.text).toBe('line 9950');
    stuck.drained();
    await turn();
    stuck.drained();
    await turn();
    const texts = slow.slice(2).flatMap((b) => b.events.map((e) => e.payload.text));
    expect(texts).toEqual(Array.from({ length: 50 }, (_, i) => `line ${9950 + i}`));
    expect(slow.slice(3).every((b) => b.skipped === 0)).toBe(true);
  });

  it('does nothing once closed, even if the bus still calls its sink', async () => {
    const tail = new LiveTail({ queue: 10, batch: 10, unsent: 1 });
    const got: TailBatch[] = [];
    tail.subscribe((b) => got.push(b));
    tail.close();
    tail.sink(event(1));
    tail.subscribe((b) => got.push(b));
    tail.sink(event(2));
    await turn();
    expect(got).toEqual([]);
    expect(tail.size).toBe(0);
  });

  it('skips what cannot be serialised and goes on', async () => {
    const tail = new LiveTail({ queue: 10, batch: 1, unsent: 5 });
    const got: TailBatch[] = [];
    let calls = 0;
    tail.subscribe((b) => {
      if (calls++ === 0) throw new TypeError('Do not know how to serialize a BigInt');
      got.push(b);
    });
    tail.sink(event(1));
    tail.sink(event(2));
    await turn();
    expect(got).toEqual([{ events: [expect.objectContaining({ payload: { text: 'line 2' } })], skipped: 1 }]);
  });
});

describe('console sessions', () => {
  it('are random 32-byte ids that expire after the idle time and the maximum age', () => {
    let now = 1_000_000;
    const sessions = new AdminSessions({ idleMs: 1000, maxMs: 5000, maxSessions: 3 }, () => now);
    const a = sessions.create(1, 'Warden', '127.0.0.1');
    const b = sessions.create(1, 'Warden', '127.0.0.1');
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(a.id).not.toBe(b.id);
    now += 900;
    expect(sessions.get(a.id)).toBe(a); // touched
    now += 900;
    expect(sessions.get(a.id)).toBe(a);
    expect(sessions.get(b.id)).toBeNull(); // idle 1800 ms
    for (let i = 0; i < 5; i++) {
      now += 900;
      sessions.get(a.id);
    }
    expect(sessions.get(a.id)).toBeNull(); // older than maxMs although busy
    expect(sessions.size).toBe(0);
  });

  it('forget the oldest past the cap, and look-ups without touch leave the idle clock alone', () => {
    let now = 0;
    const sessions = new AdminSessions({ idleMs: 1000, maxMs: 10_000, maxSessions: 2 }, () => now);
    const [a, b, c] = [sessions.create(1, 'A', 'x'), sessions.create(2, 'B', 'x'), sessions.create(3, 'C', 'x')];
    expect(sessions.get(a.id)).toBeNull();
    expect(sessions.get(b.id)?.accountName).toBe('B');
    now = 600;
    expect(sessions.get(c.id, false)).toBe(c);
    expect(sessions.get(b.id)).toBe(b);
    now = 1100;
    expect(sessions.get(c.id)).toBeNull();
    expect(sessions.get(b.id)).toBe(b);
    now = 2200;
    expect(sessions.sweep()).toBe(1);
    expect(sessions.size).toBe(0);
  });

  it('outlive their process in the database, which holds only the cookie\'s hash, and still expire', () => {
    const file = path.join(tempDir(), 'game.sqlite3');
    let now = 1_000_000;
    const limits = { idleMs: 300_000, maxMs: 3_600_000, maxSessions: 3 };
    let store = new ObjectStore(file);
    let sessions = new AdminSessions(limits, () => now, new ConsoleSessionStore(store.db));
    const kept = sessions.create(7, 'Warden', '192.0.2.1', 2);
    const idle = sessions.create(8, 'Sleepy', '192.0.2.2');
    const gone = sessions.create(9, 'Leaver', '192.0.2.3');
    sessions.delete(gone.id);
    now += 200_000;
    expect(sessions.get(kept.id)).toBe(kept); // its last_seen is written: over a minute stale
    const rows = store.db.prepare('SELECT * FROM console_sessions').all();
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain(kept.id);
    expect(JSON.stringify(rows)).not.toContain(idle.id);
    store.close();

    // A new process (a reload): the cookie still works, with what it was issued for.
    now += 200_000;
    store = new ObjectStore(file);
    sessions = new AdminSessions(limits, () => now, new ConsoleSessionStore(store.db));
    expect(sessions.size).toBe(1); // Sleepy idled out (400 s > 300 s) and is dropped from the table
    expect(sessions.get(idle.id)).toBeNull();
    expect(sessions.get(gone.id)).toBeNull();
    expect(sessions.get(kept.id)).toMatchObject({ id: kept.id, accountId: 7, accountName: 'Warden', address: '192.0.2.1', passwordChanges: 2, createdAt: 1_000_000 });
    expect(sessions.get('not-a-cookie-of-ours')).toBeNull();
    // The maximum age counts from the first login, across processes.
    now = 1_000_000 + limits.maxMs;
    expect(sessions.get(kept.id)).toBeNull();
    expect(store.db.prepare('SELECT count(*) AS n FROM console_sessions').get()).toEqual({ n: 0 });
    store.close();
  });

  it('cookies: strict attributes, Secure on https, and parsing that ignores junk', () => {
    expect(sessionCookie('abc', false)).toBe('mud_admin=abc; HttpOnly; SameSite=Strict; Path=/admin');
    expect(sessionCookie('abc', true)).toBe('mud_admin=abc; HttpOnly; SameSite=Strict; Path=/admin; Secure');
    expect(sessionCookie(null, false)).toBe('mud_admin=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0');
    expect(cookieValue({ cookie: 'a=1; mud_admin=xyz_-9; b=2' }, 'mud_admin')).toBe('xyz_-9');
    expect(cookieValue({ cookie: 'mud_admin="><script>' }, 'mud_admin')).toBeNull();
    expect(cookieValue({}, 'mud_admin')).toBeNull();
    expect(cameOverHttps(undefined, { 'x-forwarded-proto': 'https' }, false)).toBe(false);
    expect(cameOverHttps(undefined, { 'x-forwarded-proto': 'https' }, true)).toBe(true);
    expect(cameOverHttps(undefined, { 'x-forwarded-proto': 'http' }, true)).toBe(false);
    expect(cameOverHttps({ encrypted: true }, {}, false)).toBe(true);
  });
});

describe('/metrics access', () => {
  const loopback = { metrics: 'loopback' as const, metricsToken: '' };
  it('is for loopback by default, as the webclient sees the address', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.3.2.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
    expect(metricsAccess(loopback, '::ffff:127.0.0.1', {}, false)).toBe(200);
    expect(metricsAccess(loopback, '10.1.2.3', {}, false)).toBe(403);
    // X-Forwarded-For counts only with trustProxy (and then its last entry).
    expect(metricsAccess(loopback, '10.1.2.3', { 'x-forwarded-for': '127.0.0.1' }, false)).toBe(403);
    expect(metricsAccess(loopback, '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }, true)).toBe(403);
    expect(metricsAccess(loopback, '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' }, false)).toBe(200);
  });

  it('can be opened to all, to a bearer token, or switched off', () => {
    expect(metricsAccess({ metrics: 'open', metricsToken: '' }, '10.1.2.3', {}, false)).toBe(200);
    expect(metricsAccess({ metrics: 'off', metricsToken: '' }, '127.0.0.1', {}, false)).toBe(404);
    const token = { metrics: 'loopback' as const, metricsToken: 'a-long-scrape-token-1234' };
    expect(metricsAccess(token, '10.1.2.3', { authorization: 'Bearer a-long-scrape-token-1234' }, false)).toBe(200);
    expect(metricsAccess(token, '10.1.2.3', { authorization: 'Bearer a-long-scrape-token-1235' }, false)).toBe(403);
    expect(metricsAccess(token, '10.1.2.3', { authorization: 'Basic a-long-scrape-token-1234' }, false)).toBe(403);
  });

  it('settings are checked', () => {
    expect(resolveAdminSettings(undefined, {})).toEqual(DEFAULT_ADMIN_SETTINGS);
    expect(resolveAdminSettings({ metrics: 'open' }, { sweepMs: 5 })).toMatchObject({ metrics: 'open', sweepMs: 5 });
    expect(() => resolveAdminSettings({ metrics: 'everyone' })).toThrow(AdminSettingsError);
    expect(() => resolveAdminSettings({ metricsToken: 'short' })).toThrow(/16 characters/);
    expect(() => resolveAdminSettings({ sessionIdleMs: -1 })).toThrow(/whole number/);
    expect(() => resolveAdminSettings('on')).toThrow(/object/);
  });
});
