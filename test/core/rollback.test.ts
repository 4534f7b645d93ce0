import { afterEach, describe, expect, it } from 'vitest';
import type { CharacterCommand } from '../../commands/command.ts';
import { AuditedCharacter } from '../../typeclasses/audited_character.ts';
import { startGame, type RunningGame } from '../support/game.ts';

/** A command with a bug: it changes the world, then throws. */
const clumsy: CharacterCommand = {
  key: 'clumsy',
  help: 'clumsy — moves you, makes things, then fails (a test command).',
  run({ objects, caller }) {
    const courtyard = objects.search('Courtyard')[0]!;
    caller.moveTo(courtyard);
    caller.attributes.set('mood', 'confused');
    objects.create({ typeclass: 'typeclasses/object.DefaultObject', key: 'ghost', location: courtyard });
    objects.swapTypeclass(courtyard, 'typeclasses/object.DefaultObject', { runStartHooks: false });
    throw new Error('clumsy fell over');
  },
};

describe('a command that fails half way', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('leaves neither the database nor the live world changed, and its messages unsent', async () => {
    run = await startGame({ game: { extraCommands: [clumsy] } });
    const anna = await run.login('Anna');
    const me = run.game.objects.search('Anna')[0] as AuditedCharacter;
    const courtyard = run.game.objects.search('Courtyard')[0]!;
    const before = { count: run.game.objects.count, history: me.locationHistory().length, courtyard: [...courtyard.contents] };

    await anna.command('clumsy', "Sorry, 'clumsy' failed with an internal error");
    expect(anna.text).not.toContain('Courtyard');
    expect(me.location?.key).toBe('Limbo');
    expect(run.game.objects.startRoom().contents).toContain(me);
    expect(courtyard.contents).toEqual(before.courtyard);
    expect(courtyard.typeclassPath).toBe('typeclasses/room.Room');
    expect(courtyard.constructor.name).toBe('Room');
    expect(run.game.objects.count).toBe(before.count);
    expect(run.game.objects.search('ghost')).toEqual([]);
    expect(me.attributes.has('mood')).toBe(false);
    expect(me.locationHistory()).toHaveLength(before.history);
    // The trail records the attempt, not the move or the object that were taken back.
    expect(await run.logs.lines('command_audit.log')).toContainEqual(expect.stringMatching(new RegExp(`AUDIT CMD: Anna\\(#${me.id}\\) executed 'clumsy'$`)));
    expect(await run.logs.lines('movement_audit.log')).toEqual([]);
    expect(await run.logs.lines('server.log')).toContainEqual(expect.stringMatching(/\| ERROR \| Command 'clumsy' by Anna failed: Error: clumsy fell over/));

    // The next command works on the world as it was; a restart finds the same.
    await anna.command('north', 'Courtyard');
    await anna.command('@create lamp', 'Created lamp');
    run = await run.restart();
    const again = run.game.objects.get(me.id) as AuditedCharacter;
    // Offline after the restart: out of the world, coming back where it left.
    expect(again.location).toBeNull();
    expect(again.whereabouts?.key).toBe('Courtyard');
    expect(again.locationHistory()).toHaveLength(before.history + 1);
    expect(run.game.objects.search('ghost')).toEqual([]);
    expect(run.game.objects.search('Courtyard')[0]!.typeclassPath).toBe('typeclasses/room.Room');
  });
});
