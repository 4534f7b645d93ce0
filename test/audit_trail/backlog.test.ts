/**
 * A sink that cannot take events (here: the JSONL trail held by another live process) falls
 * behind while the game plays on; the outbox holds its backlog up to MUD_AUDIT_BACKLOG_MAX.
 * Full, the game refuses commands with a clear line (default) or drops the stuck sink's oldest
 * events (MUD_AUDIT_ON_FULL=drop), counted. Either way the other sinks keep every event.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OsLock } from '../../server/os_lock.ts';
import { startGame, type RunningGame } from '../support/game.ts';
import { tempDir } from '../support/temp_dir.ts';
import { auditConfig } from './helpers.ts';

/** The worker has started and reported its sinks (the stuck one among them). */
async function sinksReported(run: RunningGame): Promise<void> {
  await expect.poll(() => run.game.auditTrail.stats().jsonl.failing, { timeout: 10_000 }).toBe(true);
}

/** Another writer holds the trail's lock (here this test's thread, for the game's worker just as real): the JSONL sink waits. */
let held: OsLock | null = null;
function holdTrail(dir: string): void {
  fs.mkdirSync(path.join(dir, 'logs', 'audit'), { recursive: true });
  held = OsLock.acquire(path.join(dir, 'logs', 'audit', 'audit.lock')) as OsLock;
}

describe('a full audit backlog', () => {
  let run: RunningGame;
  afterEach(async () => {
    await run?.stop();
    held?.release();
  });

  it('refuses commands with a clear line and an ERROR, and the other sinks keep up', async () => {
    const dir = tempDir();
    holdTrail(dir);
    run = await startGame({ dir, config: { audit: auditConfig({ backlogMax: 40 }) } });
    const player = await run.login('Anna');
    await sinksReported(run);
    let refused = '';
    for (let i = 0; i < 60 && !refused; i++) {
      const reply = await player.command(`say line ${i}`, /You say, "line \d+"|not taking commands/);
      if (/not taking commands/.test(reply)) refused = reply;
    }
    expect(refused).toMatch(/cannot record what you do right now/);
    await run.game.auditTrail.flush();
    const stats = run.game.auditTrail.stats();
    expect(stats.refusing).toBe(true);
    expect(stats.jsonl).toMatchObject({ failing: true, cursor: 0 });
    expect(stats.table.lagEvents).toBe(0);
    expect(await run.logs.lines('server.log')).toContainEqual(expect.stringMatching(/ERROR \| Audit backlog full \(\d+ events, MUD_AUDIT_BACKLOG_MAX=40; stuck: jsonl\)/));
    // Leaving still works.
    await player.command('quit', 'Goodbye');
  });

  it('with MUD_AUDIT_ON_FULL=drop keeps playing and counts what the stuck sink lost', async () => {
    const dir = tempDir();
    holdTrail(dir);
    run = await startGame({ dir, config: { audit: auditConfig({ backlogMax: 40, onFull: 'drop' }) } });
    const player = await run.login('Bert');
    await sinksReported(run);
    for (let i = 0; i < 80; i++) await player.command(`say line ${i}`, `You say, "line ${i}"`);
    // One more command after the drop throttle (250 ms): the backlog is cut back to half the bound.
    await new Promise((r) => setTimeout(r, 300));
    await player.command('say last', 'You say, "last"');
    await run.game.auditTrail.flush();
    await expect.poll(() => run.game.auditTrail.stats().jsonl.dropped).toBeGreaterThan(0);
    const stats = run.game.auditTrail.stats();
    expect(stats.table).toMatchObject({ dropped: 0, lagEvents: 0 });
    expect(stats.text).toMatchObject({ dropped: 0, lagEvents: 0 });
    expect(stats.jsonl.lagEvents).toBeLessThanOrEqual(40);
    expect(await run.logs.lines('server.log')).toContainEqual(expect.stringMatching(/ERROR \| Audit sink 'jsonl': dropped \d+ undelivered event\(s\)/));
  });
});
