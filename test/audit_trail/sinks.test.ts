import { afterEach, describe, expect, it } from 'vitest';
import { startGame, type RunningGame } from '../support/game.ts';
import { facts, readTable, readTableFile, readTrail } from './helpers.ts';

describe('the JSONL trail and the audit table of a scripted telnet session', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('hold the same events, seq by seq, and never a password', async () => {
    run = await startGame();
    const secrets = ['Prompted-Secret-1', 'Changed-Secret-2', 'Admin-Set-Secret-3', 'Wrong-Secret-4'];
    const admin = await run.login('Root');
    const c = await run.connect();
    await c.createAtPrompts('Victim', secrets[0]!);
    await c.command(`password ${secrets[0]} ${secrets[1]}`, 'Password changed.');
    await c.command('north', 'Courtyard');
    await c.command('say a sword, please', 'You say');
    await c.command('quit', 'Goodbye');
    await c.waitClosed();
    const d = await run.connect();
    await d.command(`connect Victim ${secrets[3]}`, 'Wrong name or password.');
    await d.command(`connect Victim ${secrets[1]}`, 'You become Victim');
    await admin.command(`@password Victim = ${secrets[2]}`, 'Password of Victim changed.');
    await run.game.auditTrail.flush();

    const trail = readTrail(run.config.logDir);
    const table = await readTable(run.game);
    expect(trail.map((r) => r.seq)).toEqual(trail.map((_, i) => i + 1));
    expect(table.map((r) => r.seq)).toEqual(trail.map((r) => r.seq));
    for (const [i, record] of trail.entries()) expect(facts(table[i]!), `seq ${record.seq}`).toEqual(facts(record));

    const types = trail.map((r) => r.event_type);
    for (const type of ['connection_opened', 'account_created', 'character_created', 'login_ok', 'puppet', 'command', 'move_leave', 'move_arrive', 'unpuppet', 'logout', 'connection_closed', 'login_failed', 'password_changed']) {
      expect(types, type).toContain(type);
    }
    const failed = trail.find((r) => r.event_type === 'login_failed')!;
    expect(failed).toMatchObject({ success: false, actor: { remote_addr: '127.0.0.1', protocol: 'telnet' }, payload: { name_tried: 'Victim' } });
    expect(trail.filter((r) => r.event_type === 'password_changed')).toHaveLength(2);
    expect(trail).toContainEqual(expect.objectContaining({ event_type: 'command', payload: expect.objectContaining({ command: 'password', args: '***' }) }));

    const everything = (await run.logs.everything()) + JSON.stringify(table);
    expect(everything).toContain('a sword, please');
    for (const secret of secrets) expect(everything).not.toContain(secret);

    // After a graceful stop the table has every event the file has, and nothing was dropped.
    await run.stop();
    const stats = run.game.auditTrail.stats();
    expect(stats.sinks.map((s) => s.name).sort()).toEqual(['jsonl', 'table', 'text']);
    for (const sink of stats.sinks) expect(sink, sink.name).toMatchObject({ dropped: 0, lagEvents: 0, failing: false, cursor: stats.lastSeq });
    const finalTrail = readTrail(run.config.logDir);
    expect(readTableFile(run.config.dataDir).map((e) => [e.seq, facts(e)])).toEqual(finalTrail.map((r) => [r.seq, facts(r)]));
    expect(finalTrail.at(-1)).toMatchObject({ event_type: 'connection_closed' });
  });
});
