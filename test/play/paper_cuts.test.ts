/** Paper-cuts of issue 15, played over a real socket. */
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { startGame } from '../support/game.ts';

describe('paper-cuts', () => {
  const start = stopAfterEach(startGame);

  it('counts moves in words that agree, and says @audit/moves lists them oldest first', async () => {
    const run = await start();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    await anna.command('north', 'Courtyard');
    await root.command('@audit Anna', /Locations visited\s+: 1 move, 2 distinct rooms\n/);
    await root.command('@audit/moves Anna', /The last move of Anna:\n\s+\S+Z\s+Limbo -> Courtyard\n/);
    await anna.command('south', 'Limbo');
    await root.command('@audit/moves Anna', /The last 2 moves of Anna, oldest first:\n\s+\S+Z\s+Limbo -> Courtyard\n\s+\S+Z\s+Courtyard -> Limbo\n/);
  });

  it('shows a fractional attribute such as playtime to two places in @examine', async () => {
    const run = await start();
    const root = await run.login('Root');
    await run.login('Anna');
    await root.command('@set Anna/total_playtime = 65.42999999999998', 'Set Anna/total_playtime = 65.42999999999998\n');
    const shown = await root.command('@examine Anna', /total_playtime\s+: \S+\n/);
    expect(shown).toMatch(/total_playtime\s+: 65\.43\n$/);
  });
});
