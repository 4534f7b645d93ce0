/**
 * `npm run migrate-audit [-- <name>...]`: turns existing characters (all of them, or those named)
 * into AuditedCharacters without running creation hooks, like `@typeclass/noinit` in game. Each
 * keeps its id, location and attributes; missing audit attributes read as their defaults.
 */
import { actorOf, auditEvent, targetOf } from '../audit/events.ts';
import { AuditedCharacter } from '../../typeclasses/audited_character.ts';
import { withGame } from './shell.ts';

const names = process.argv.slice(2).map((n) => n.toLowerCase());
const TARGET = AuditedCharacter.typeclassPath;

await withGame(
  (game) => {
    const characters = [...game.objects.all()].filter((o) => o.record.accountId !== null);
    const wanted = names.length ? characters.filter((c) => names.includes(c.key.toLowerCase())) : characters;
    for (const missing of names.filter((n) => !characters.some((c) => c.key.toLowerCase() === n))) {
      process.stdout.write(`No character is called '${missing}'.\n`);
    }
    let migrated = 0;
    for (const character of wanted) {
      if (character instanceof AuditedCharacter) {
        process.stdout.write(`${character.key}(#${character.id}) is already audited.\n`);
        continue;
      }
      const from = character.typeclassPath;
      game.objects.swapTypeclass(character, TARGET, { runStartHooks: false });
      game.audit.emit(auditEvent('typeclass_swapped', actorOf(null), { target: targetOf(character), payload: { from, to: TARGET, run_start_hooks: false } }));
      process.stdout.write(`Migrated ${character.key}(#${character.id}) from ${from} to ${TARGET}.\n`);
      migrated++;
    }
    process.stdout.write(`${migrated} character(s) migrated.\n`);
    return names.length && wanted.length < names.length ? 1 : 0;
  },
);
