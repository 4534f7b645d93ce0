import { ansi, listNames } from '../server/text.ts';
import { DefaultObject } from './object.ts';

/** A place. Knows its exits: the objects inside it that have a destination. */
export class Room extends DefaultObject {
  static override readonly typeclassPath: string = 'typeclasses/room.Room';

  get exits(): DefaultObject[] {
    return this.contents.filter((obj) => obj.isExit);
  }

  override returnAppearance(looker: DefaultObject): string {
    const lines = [ansi.roomName(this.key)];
    if (this.description) lines.push(this.description);
    const exits = this.exits.map((exit) => ansi.exitName(exit.key));
    lines.push(exits.length ? `Exits: ${exits.join(', ')}` : 'There are no obvious exits.');
    const others = this.contents.filter((obj) => obj !== looker && !obj.isExit);
    const people = others.filter((obj) => obj.isPuppeted).map((obj) => obj.key);
    const things = others.filter((obj) => !obj.isPuppeted).map((obj) => obj.key);
    if (people.length) lines.push(`Also here: ${listNames(people)}.`);
    if (things.length) lines.push(`You see: ${listNames(things)}.`);
    return lines.join('\n');
  }
}
