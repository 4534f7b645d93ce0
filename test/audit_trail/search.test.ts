import { afterEach, describe, expect, it } from 'vitest';
import { AuditFilterError, parseAuditFilters } from '../../server/audit/search.ts';
import { startGame, type RunningGame } from '../support/game.ts';

describe('@audit/search and @audit/history', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('search and page the audit table in game, for builders only', async () => {
    run = await startGame();
    const admin = await run.login('Root');
    const pleb = await run.login('Pleb');
    await pleb.command('north', 'Courtyard');
    await pleb.command('say a halberd for me', 'You say');
    const intruder = await run.connect();
    await intruder.command('connect Pleb not-the-password', 'Wrong name or password.');

    // Events just made are found: the pending batch is written before the search.
    const moves = await admin.command('@audit/search character=pleb type=move_arrive', /End of the results\.|More:/);
    expect(moves).toMatch(/Audit search — events 1-1, newest first:\nWhen \(UTC\)\s+Type\s+Who\s+From\s+Where\s+Target\s+Details\n-+/);
    expect(moves).toMatch(new RegExp(String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}move_arrive {2}Pleb\(#${run.game.objects.search('Pleb')[0]!.id}\) {2}127\.0\.0\.1 telnet {2}Courtyard .* from=Limbo move_type=traverse$`, 'm'));

    const failed = await admin.command('@audit/search type=login_failed,login_locked addr=127.0.0.1 since=1h', /End of the results\./);
    expect(failed).toMatch(/login_failed .* \(failed\) name_tried=Pleb reason="wrong password"/);
    const halberd = await admin.command('@audit/search text=HALBERD', /End of the results\./);
    expect(halberd).toContain('events 1-3'); // this search, the say and the command that made it
    expect(halberd).toMatch(/ say .*text="a halberd for me"/);
    await admin.command('@audit/search until=2000-01-01', 'Audit search: no events.');
    await admin.command('@audit/search colour=red', "Unknown filter 'colour'.");
    await admin.command('@audit/search since=yesterday', "'yesterday' is not a time");

    const page1 = await admin.command('@audit/history Pleb 3', /More: @audit\/history Pleb 3 page=2/);
    expect(page1).toContain('History of Pleb — events 1-3, newest first:');
    const page2 = await admin.command('@audit/history pleb 3 page=2', /More: |End of/);
    expect(page2).toContain('History of Pleb — events 4-6, newest first:');
    expect(page2).not.toContain('@audit/history pleb 3'); // newest first: the admin's own command is not Pleb's

    await pleb.command('@audit/search character=Root', 'Searching the audit trail needs Builder permission.');
    await pleb.command('@audit/history Root', 'the history of others needs Builder permission');
    await pleb.command('@audit/history', 'History of Pleb — events 1-');
    await pleb.command('@audit/stats', 'The audit statistics need Admin permission.');
    const stats = await admin.command('@audit/stats', 'Last prune');
    expect(stats).toMatch(/ {2}dropped {5}: 0\n/);
    expect(stats).toMatch(/Audit table {3}: audit_events\n/);

    // The move list of the character's own record moved to /moves.
    await admin.command('@audit/moves Pleb 5', /The last move of Pleb:\n\s+\S+Z\s+Limbo -> Courtyard/);
  });
});

describe('audit search filters', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');
  it('read names, types, addresses, UTC times, quoted text and paging', () => {
    expect(parseAuditFilters('character=Bob account=bob type=login_failed,login_locked addr=1.2.3.4 since=2026-11-01 until=2026-11-23T10:00 text="long sword" page=2 limit=50', { now })).toEqual({
      query: {
        character: 'Bob',
        account: 'bob',
        types: ['login_failed', 'login_locked'],
        remoteAddr: '1.2.3.4',
        since: '2026-11-01T00:00:00.000Z',
        until: '2026-11-23T10:00:00.000Z',
        text: 'long sword',
      },
      page: 2,
      pageSize: 50,
    });
    // A date alone as `until` includes that whole day; relative times count back from now.
    expect(parseAuditFilters('until=2026-11-22 since=2h', { now }).query).toEqual({ until: '2026-11-23T00:00:00.000Z', since: '2026-11-23T10:00:00.000Z' });
    for (const bad of ['bob', 'page=0', 'limit=1000', 'type=Login-Failed', 'since=2026-13-45', 'text=']) {
      expect(() => parseAuditFilters(bad, { now }), bad).toThrow(AuditFilterError);
    }
  });
});
