import { DefaultObject } from './object.ts';

/**
 * A one-way link from the room it sits in to its destination. The dispatcher offers every exit
 * in the caller's room as a command named by its key and aliases.
 */
export class Exit extends DefaultObject {
  static override readonly typeclassPath: string = 'typeclasses/exit.Exit';

  /** Moves `traveller` through this exit (Evennia's at_traverse); false when it could not. */
  traverse(traveller: DefaultObject): boolean {
    const destination = this.destination;
    if (!destination) {
      traveller.msg(`The way ${this.key} leads nowhere.`);
      return false;
    }
    if (traveller.moveTo(destination, { moveType: 'traverse' })) return true;
    this.atFailedTraverse(traveller);
    return false;
  }

  /** Called when a move through this exit was vetoed (Evennia's at_failed_traverse). */
  atFailedTraverse(traveller: DefaultObject): void {
    traveller.msg(`You cannot go ${this.key}.`);
  }

  override returnAppearance(_looker: DefaultObject): string {
    const where = this.destination ? `It leads to ${this.destination.key}.` : 'It leads nowhere.';
    return `${this.key}\n${this.description || where}`;
  }
}
