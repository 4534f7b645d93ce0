import type { Session } from '../server/sessions/session.ts';
import type { Account } from './account.ts';
import { DefaultObject, type MoveType } from './object.ts';
import { Room } from './room.ts';

/**
 * Where an offline character will come back (Evennia's `db.prelogout_location`): a room id,
 * kept as an attribute so it survives restarts.
 */
export const PRELOGOUT_LOCATION = 'prelogout_location';

/**
 * Something a player puppets. Sees its room on arrival; the room sees it come and go. As in
 * Evennia (DefaultCharacter.at_post_unpuppet / at_pre_puppet), a character nobody puppets is
 * out of the world: its location is null and it remembers where it was, so `look` does not list
 * it and nobody can give it things, and it is put back there when someone puppets it again.
 */
export class Character extends DefaultObject {
  static override readonly typeclassPath: string = 'typeclasses/character.Character';

  /** Out of the world, waiting to be puppeted again. */
  get isOffline(): boolean {
    return this.location === null && this.attributes.has(PRELOGOUT_LOCATION);
  }

  /** Where it is, or for an offline character where it will come back (what staff tools show). */
  get whereabouts(): DefaultObject | null {
    return this.location ?? (this.isOffline ? this.returnRoom() : null);
  }

  /**
   * Moves an offline character's place of return (`@tel` of someone offline): it wakes up there.
   * Not a move: nothing is announced or logged until it comes back.
   */
  setReturnRoom(room: DefaultObject): void {
    this.attributes.set(PRELOGOUT_LOCATION, room.id);
  }

  /**
   * Takes it out of the world without a move (no move hooks, so no movement-log line: going
   * offline is stated once, as the unpuppet event, with the room it left). GMCP clients in the
   * room see it go. Also used at start-up for characters whose session died with the last run.
   */
  goOffline(): void {
    const room = this.location;
    if (!room) return;
    this.attributes.set(PRELOGOUT_LOCATION, room.id);
    this.world.objects.setLocation(this, null);
    room.itemChanged('Remove', this);
  }

  /** Back where it left (a room destroyed meanwhile: its home, else the start room), without a move. */
  private comeBack(): void {
    if (this.location) return;
    const room = this.returnRoom() ?? this.home ?? this.world.objects.startRoom();
    this.world.objects.setLocation(this, room);
    room.itemChanged('Add', this);
  }

  private returnRoom(): DefaultObject | null {
    return this.world.objects.get(this.attributes.get<number | null>(PRELOGOUT_LOCATION, null));
  }

  override atPostMove(source: DefaultObject | null, moveType: MoveType): void {
    super.atPostMove(source, moveType);
    const room = this.location;
    if (!room || !this.isPuppeted) return;
    this.msg(room.returnAppearance(this));
    for (const session of this.sessions) session.roomChanged(room);
  }

  override atPrePuppet(account: Account, session: Session): void {
    super.atPrePuppet(account, session);
    this.comeBack();
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
    // Only when nobody puppets it any more (Evennia: `if not self.sessions.count()`).
    if (this.isPuppeted) return;
    this.location?.msgContents(`${this.key} has left the game.`, { exclude: [this] });
    const room = this.location;
    this.goOffline();
    // The webclient's "here" panels of those left behind (the character is gone from contents now).
    if (room instanceof Room) room.peopleChanged(this);
  }
}

/**
 * At start-up, characters nobody puppets are offline, whatever the last run left: a crash or
 * kill -9 never ran their unpuppet. `stillPlaying` are the characters whose sessions the portal
 * re-attaches (a reload or crash restart): a reload moves nobody. Returns how many were taken out.
 */
export function takeOfflineTheUnplayed(objects: Iterable<DefaultObject>, stillPlaying: ReadonlySet<number>): number {
  let taken = 0;
  for (const obj of [...objects]) {
    if (!(obj instanceof Character) || obj.record.accountId === null || !obj.location || stillPlaying.has(obj.id)) continue;
    obj.goOffline();
    taken++;
  }
  return taken;
}
