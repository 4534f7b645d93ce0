import { AuditedCharacter } from './audited_character.ts';
import { Character } from './character.ts';
import { Exit } from './exit.ts';
import { DefaultObject } from './object.ts';
import { TypeclassRegistry } from './registry.ts';
import { Room } from './room.ts';

export { Account } from './account.ts';
export { AuditedCharacter, Character, DefaultObject, Exit, Room, TypeclassRegistry };

/** The registry every game starts with. */
export function defaultTypeclasses(): TypeclassRegistry {
  return new TypeclassRegistry().register(DefaultObject).register(Room).register(Exit).register(Character).register(AuditedCharacter);
}
