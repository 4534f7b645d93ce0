import type { Session } from '../server/sessions/session.ts';
import type { Account } from './account.ts';
import { DefaultObject, type MoveType } from './object.ts';
import { Room } from './room.ts';

/** Something a player puppets. Sees its room on arrival; the room sees it come and go. */
export class Character extends DefaultObject {
  static override readonly typeclassPath: string = 'typeclasses/character.Character';

  override atPostMove(source: DefaultObject | null, moveType: MoveType): void {
    super.atPostMove(source, moveType);
    const room = this.location;
    if (!room || !this.isPuppeted) return;
    this.msg(room.returnAppearance(this));
    for (const session of this.sessions) session.roomChanged(room);
  }

  override atPostPuppet(session: Session): void {
    super.atPostPuppet(session);
    this.msg(`\nYou become ${this.key}.\n`);
    const room = this.location;
    if (!room) return;
    this.msg(room.returnAppearance(this));
    session.roomChanged(room);
    room.msgContents(`${this.key} has entered the game.`, { exclude: [this] });
    if (room instanceof Room) room.peopleChanged(this);
  }

  override atPostUnpuppet(account: Account, session: Session): void {
    super.atPostUnpuppet(account, session);
    this.location?.msgContents(`${this.key} has left the game.`, { exclude: [this] });
    if (this.location instanceof Room) this.location.peopleChanged(this);
  }
}
