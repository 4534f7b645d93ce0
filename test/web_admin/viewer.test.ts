/**
 * What an Admin sees: character summaries, one character's history, the filterable event table,
 * the live tail, and /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTelnetClient } from '../support/telnet_client.ts';
import type { TestWebClient } from '../web/support.ts';
import { ADMIN, startAdminGame, type AdminGame } from './support.ts';

describe('the audit console for an Admin', () => {
  let run: AdminGame;
  let cookie: string;
  let anna: TestTelnetClient;
  let bob: TestWebClient;
  const BOB_ADDR = '203.0.113.7';

  beforeAll(async () => {
    // Bob plays from the browser through a (pretend) proxy, so his address differs from Anna's.
    run = await startAdminGame({ config: { webTrustProxy: true } });
    anna = await run.login('Anna');
    await anna.command('north', 'Courtyard');
    await anna.command('say hello from <b>Anna</b>', 'You say');
    await anna.command('east', 'Library');
    bob = await run.webPlayerFrom('Bob', BOB_ADDR);
    await bob.command('say good evening', 'You say');
    cookie = await run.adminCookie();
  });
  afterAll(async () => {
    await run?.stop();
  });

  const events = (query: string) => run.getJson<{ events: any[]; page: number; limit: number; more: boolean }>(`/admin/api/events?${query}`, cookie);

  it('lists the characters with their audit summaries', async () => {
    const { characters } = await run.getJson<{ characters: any[] }>('/admin/api/characters', cookie);
    const byName = new Map(characters.map((c) => [c.name, c]));
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['Anna', 'Bob']));
    const a = byName.get('Anna')!;
    expect(a).toMatchObject({ account: 'Anna', audited: true, online: true, current_location: 'Library', distinct_rooms_visited: 3 });
    expect(a.commands_executed).toBeGreaterThanOrEqual(3);
    expect(a.locations_visited).toBe(2); // north, east
    expect(a.last_location_change).toMatchObject({ from: 'Courtyard', to: 'Library' });
    expect(byName.get('Bob')).toMatchObject({ online: true, current_location: 'Limbo' });
    // Only characters: no rooms or things.
    expect(byName.has('Courtyard')).toBe(false);
  });

  it('filters the event table by character, type, address, account, text and time, and pages it', async () => {
    const annas = await events('character=anna&limit=100');
    expect(annas.events.length).toBeGreaterThan(3);
    expect(new Set(annas.events.map((e) => e.actor.character))).toEqual(new Set(['Anna']));
    // Newest first.
    const times = annas.events.map((e) => e.ts);
    expect([...times].sort().reverse()).toEqual(times);

    const says = await events('type=say');
    expect(says.events.map((e) => [e.actor.character, e.payload.text])).toEqual([
      ['Bob', 'good evening'],
      ['Anna', 'hello from <b>Anna</b>'],
    ]);
    const both = await events('type=say,move_arrive&character=Anna');
    expect(new Set(both.events.map((e) => e.event_type))).toEqual(new Set(['say', 'move_arrive']));

    const fromBob = await events(`addr=${BOB_ADDR}&limit=100`);
    expect(fromBob.events.length).toBeGreaterThan(0);
    expect(fromBob.events.every((e) => e.actor.remote_addr === BOB_ADDR && e.actor.protocol === 'web')).toBe(true);
    expect(fromBob.events.map((e) => e.event_type)).toEqual(expect.arrayContaining(['connection_opened', 'account_created', 'login_ok', 'say']));
    expect((await events('addr=127.0.0.1&limit=100')).events.some((e) => e.actor.character === 'Bob')).toBe(false);

    expect((await events('account=BOB&type=login_ok')).events).toHaveLength(1);
    expect((await events('text=<b>Anna')).events.map((e) => e.event_type)).toContain('say');
    expect((await events('since=2000-01-01&until=2000-01-02')).events).toEqual([]);
    expect((await events('since=1h&character=Anna')).events.length).toBe(annas.events.length);

    const first = await events('character=Anna&limit=2');
    const second = await events('character=Anna&limit=2&page=2');
    expect(first).toMatchObject({ page: 1, limit: 2, more: true });
    expect(second.page).toBe(2);
    expect(second.events.map((e) => e.id)).not.toEqual(first.events.map((e) => e.id));
    expect(first.events.concat(second.events).map((e) => e.id)).toEqual(annas.events.slice(0, 4).map((e) => e.id));

    for (const bad of ['since=yesterday', 'type=DROP%20TABLE', 'limit=1000', 'page=0', 'character=a&character=b']) {
      const response = await run.get(`/admin/api/events?${bad}`, cookie);
      expect(response.status, bad).toBe(400);
      expect(((await response.json()) as { error: unknown }).error).toEqual(expect.any(String));
    }
  });

  it("shows one character's history: moves from the character, events from the table", async () => {
    const history = await run.getJson<any>('/admin/api/history?character=anna&moves=10&limit=100', cookie);
    expect(history).toMatchObject({ character: 'Anna', exists: true, page: 1 });
    expect(history.summary).toMatchObject({ name: 'Anna', current_location: 'Library' });
    // Newest first.
    expect(history.moves.slice(0, 2)).toMatchObject([
      { from: 'Courtyard', to: 'Library' },
      { from: 'Limbo', to: 'Courtyard' },
    ]);
    expect(history.events.length).toBeGreaterThan(3);
    expect(history.events.every((e: any) => e.actor.character === 'Anna')).toBe(true);
    expect(history.events.map((e: any) => e.event_type)).toEqual(expect.arrayContaining(['say', 'move_leave', 'move_arrive', 'command']));
    // A name nobody has: no summary, no events, but an answer.
    expect(await run.getJson('/admin/api/history?character=Ghost', cookie)).toMatchObject({ character: 'Ghost', exists: false, summary: null, moves: [], events: [] });
    expect((await run.get('/admin/api/history', cookie)).status).toBe(400);
  });

  it('delivers fresh events to the live tail as they happen', async () => {
    const tail = await run.tail(cookie);
    await anna.command('say is anyone watching?', 'You say');
    const said = await tail.waitFor((e) => e.event_type === 'say' && e.payload.text === 'is anyone watching?');
    expect(said.actor).toMatchObject({ character: 'Anna', account: 'Anna', protocol: 'telnet', remote_addr: '127.0.0.1' });
    await tail.waitFor((e) => e.event_type === 'command' && e.payload.command === 'say');
    await bob.command('emote waves', 'Bob waves');
    await tail.waitFor((e) => e.event_type === 'emote' && e.actor.remote_addr === BOB_ADDR);
    expect(tail.skipped).toBe(0);
    tail.close();
  });

  it('serves /metrics in the Prometheus text format to loopback', async () => {
    await run.game.auditTrail.flush();
    const response = await run.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    for (const line of text.trimEnd().split('\n')) {
      // HELP/TYPE comments, or `name{label="value",…} number`.
      expect(line).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="(?:[^"\\\n]|\\.)*"(,[a-z_]+="(?:[^"\\\n]|\\.)*")*\})? -?[0-9.e+]+)$/);
    }
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(text).toContain('# TYPE mud_audit_events_dropped_total counter');
    expect(value('mud_audit_events_dropped_total{sink="jsonl"}')).toBe(0);
    expect(value('mud_audit_events_dropped_total{sink="table"}')).toBe(0);
    expect(value('mud_audit_events_written_total{sink="jsonl"}')).toBeGreaterThan(10);
    expect(value('mud_audit_events_written_total{sink="table"}')).toBeGreaterThan(10);
    expect(value('mud_audit_queue_depth{sink="table"}')).toBe(0);
    expect(value('mud_audit_sink_failing{sink="jsonl"}')).toBe(0);
    expect(value('mud_audit_last_error_timestamp_seconds{sink="table"}')).toBe(0);
    expect(text).not.toContain('mud_audit_last_error_info{');
    expect(value('mud_players_online')).toBe(2);
    expect(value('mud_connections{protocol="telnet"}')).toBe(1);
    expect(value('mud_connections{protocol="web"}')).toBe(1);
    expect(value('mud_uptime_seconds')).toBeGreaterThanOrEqual(0);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(value('mud_admin_sessions')).toBeGreaterThanOrEqual(1);
    // Not to another address (here: a proxied request from outside, with trustProxy on).
    const outside = await run.get('/metrics', null, { 'x-forwarded-for': '198.51.100.20' });
    expect(outside.status).toBe(403);
    expect(await outside.text()).not.toContain('mud_');
  });

  it('gives the Health panel its numbers as JSON', async () => {
    const stats = await run.getJson<any>('/admin/api/stats', cookie);
    expect(stats).toMatchObject({ players_online: 2, connections: 2 });
    expect(stats.trail.jsonl.dropped).toBe(0);
    expect(stats.trail.table.enabled).toBe(true);
    expect((await run.getJson<any>('/admin/api/me', cookie)).name).toBe(ADMIN);
  });
});
