/**
 * Reloads while 100 players (as issue 14 asks) play flat out in closed loops: every command sent gets its reply,
 * runs exactly once (one audit record each) and nobody is disconnected or unpuppeted.
 */
import { describe, expect, it } from 'vitest';
import { askServer } from '../../server/portal/control.ts';
import { until } from '../support/wait.ts';
import { Walker } from '../support/walker.ts';
import { trackPortals } from './helpers.ts';

const PLAYERS = 100;
const RELOADS = 2;

describe('a reload under load', () => {
  const startPortal = trackPortals();

  it('loses no command and runs none twice', { timeout: 180_000 }, async () => {
    const portal = await startPortal();
    const walkers: Walker[] = [];
    for (let i = 0; i < PLAYERS; i++) walkers.push(await Walker.login(portal.server.telnetPort, `Load${i}`));
    let stop = false;
    const playing = walkers.map((w) => w.play(() => stop, { says: true, maxCommands: 100_000 }));
    try {
      for (let r = 0; r < RELOADS; r++) {
        const mark = walkers.map((w) => w.acked);
        expect(await until(() => walkers.every((w, i) => w.acked >= mark[i]! + 5), 60_000)).toBe(true);
        const answer = await askServer(portal.env.MUD_DATA_DIR, { cmd: 'reload' });
        expect(answer).toMatchObject({ ok: true });
      }
      const mark = walkers.map((w) => w.acked);
      expect(await until(() => walkers.every((w, i) => w.acked >= mark[i]! + 5), 60_000)).toBe(true);
    } finally {
      stop = true;
      await Promise.all(playing);
    }
    for (const w of walkers) expect(w.error, w.name).toBeNull();
    // A closed loop ends with its last command answered: sent and acknowledged agree.
    for (const w of walkers) expect(w.acked, w.name).toBe(w.sent);

    // Stop cleanly so every sink has everything, then count each player's commands.
    portal.server.child.kill('SIGTERM');
    expect(await portal.server.exited).toBe(0);
    const trail = portal.trail();
    expect(trail.filter((r) => r.event_type === 'reload')).toHaveLength(RELOADS);
    for (const w of walkers) {
      const mine = trail.filter((r) => r.event_type === 'command' && r.actor.account === w.name);
      expect(mine.length, `${w.name}: commands audited`).toBe(w.sent);
      const says = trail.filter((r) => r.event_type === 'say' && r.actor.account === w.name).map((r) => r.payload.text);
      expect(says, w.name).toEqual(w.ackedSays);
      // One puppet at login, one unpuppet at the final stop: none for the reloads.
      expect(trail.filter((r) => r.event_type === 'unpuppet' && r.actor.account === w.name), w.name).toHaveLength(1);
    }
    for (const w of walkers) w.close();
  });
});
