import type { Session } from '../server/sessions/session.ts';
import type { ObjectRecord } from '../server/store/index.ts';
import type { Account } from './account.ts';
import type { Attributes } from './attributes.ts';
import type { World } from './world.ts';

export type MoveType = 'move' | 'traverse' | 'teleport' | 'home' | 'get' | 'drop' | 'give';

export interface MoveOptions {
  /** Skip the leave/arrive announcements to the rooms (teleports by admins may want this). */
  quiet?: boolean;
  moveType?: MoveType;
}

/** One object in GMCP Char.Items (https://nexus.ironrealms.com/GMCP_Char_Items). */
export interface GmcpItem {
  id: string;
  name: string;
  attrib?: string;
}

/** What `atPreCmd` is told of the command about to run (a commands/ Command is one). */
export interface CommandInfo {
  readonly key: string;
  /** The arguments carry a password: masked in every trail (server/text.ts maskedArgs). */
  readonly secretArgs?: boolean;
}

/**
 * The root typeclass (Evennia's DefaultObject). Hooks are methods a subclass overrides; they
 * map one to one onto Evennia's:
 *
 * | here                       | Evennia                 |
 * |----------------------------|-------------------------|
 * | atObjectCreation           | at_object_creation      |
 * | atPreMove                  | at_pre_move             |
 * | atPreObjectLeave           | at_pre_object_leave     |
 * | atPreObjectReceive         | at_pre_object_receive   |
 * | announceMoveFrom           | announce_move_from      |
 * | announceMoveTo             | announce_move_to        |
 * | atObjectLeave              | at_object_leave         |
 * | atObjectReceive            | at_object_receive       |
 * | atPostMove                 | at_post_move            |
 * | atPreCmd                   | at_pre_cmd (Command)    |
 * | atPrePuppet / atPostPuppet | at_pre_puppet / at_post_puppet |
 * | atPreUnpuppet / atPostUnpuppet | at_pre_unpuppet / at_post_unpuppet |
 * | returnAppearance           | return_appearance       |
 *
 * `swapTypeclass` re-binds an existing instance to another class in place (its prototype
 * changes), so typeclasses keep their state in attributes or in fields declared here, never in
 * field initialisers of their own: those would not run for a swapped-in object.
 */
export class DefaultObject {
  static readonly typeclassPath: string = 'typeclasses/object.DefaultObject';

  /** Objects whose location is this one, kept in step by the ObjectManager. */
  readonly contents: DefaultObject[] = [];
  /** Sessions puppeting this object (Evennia's `obj.sessions`); not persisted. */
  readonly sessions = new Set<Session>();

  constructor(
    /** The world port: objects, accounts, the audit bus (typeclasses/world.ts). */
    readonly world: World,
    readonly record: ObjectRecord,
    readonly attributes: Attributes,
  ) {}

  get id(): number {
    return this.record.id;
  }
  get dbref(): string {
    return `#${this.record.id}`;
  }
  get key(): string {
    return this.record.key;
  }
  get aliases(): readonly string[] {
    return this.record.aliases;
  }
  get typeclassPath(): string {
    return this.record.typeclass;
  }
  get location(): DefaultObject | null {
    return this.world.objects.get(this.record.locationId);
  }
  get destination(): DefaultObject | null {
    return this.world.objects.get(this.record.destinationId);
  }
  get home(): DefaultObject | null {
    return this.world.objects.get(this.record.homeId);
  }
  /** The account that owns this object (a player's character), if any. */
  get account(): Account | null {
    return this.record.accountId === null ? null : this.world.accounts.byId(this.record.accountId);
  }
  get isExit(): boolean {
    return this.record.destinationId !== null;
  }
  get isPuppeted(): boolean {
    return this.sessions.size > 0;
  }
  get description(): string {
    return this.attributes.get('desc', '');
  }

  /** True for a name that is this object's key, one of its aliases, or its dbref. */
  answersTo(name: string): boolean {
    return name.toLowerCase() === this.dbref || this.isNamed(name);
  }

  /** True for this object's key or one of its aliases (what a player may type for an exit). */
  isNamed(name: string): boolean {
    const wanted = name.toLowerCase();
    return this.key.toLowerCase() === wanted || this.aliases.some((alias) => alias.toLowerCase() === wanted);
  }

  /** The exit in here named `name` (key or alias, not dbref), if any. */
  exitNamed(name: string): DefaultObject | null {
    return this.contents.find((obj) => obj.isExit && obj.isNamed(name)) ?? null;
  }

  /** Sends text to whoever puppets this object. */
  msg(text: string): void {
    for (const session of this.sessions) session.msg(text);
  }

  /** Sends text to everything inside this object (a room's occupants), except `exclude`. */
  msgContents(text: string, options: { exclude?: readonly DefaultObject[] } = {}): void {
    for (const obj of this.contents) {
      if (!options.exclude?.includes(obj)) obj.msg(text);
    }
  }

  /**
   * Moves this object, calling the hooks in Evennia's order. The rooms' vetoes are asked first
   * and the mover's own `atPreMove` last, so that once `atPreMove` has agreed the move happens:
   * an audited mover can state "leaving" there as a fact. Returns false when vetoed.
   */
  moveTo(destination: DefaultObject, options: MoveOptions = {}): boolean {
    const moveType = options.moveType ?? 'move';
    const source = this.location;
    if (destination === this || this.isInside(destination)) return false;
    if (source && !source.atPreObjectLeave(this, destination)) return false;
    if (!destination.atPreObjectReceive(this, source)) return false;
    if (!this.atPreMove(destination, moveType)) return false;
    if (!options.quiet) this.announceMoveFrom(destination, moveType);
    this.world.objects.setLocation(this, destination);
    if (!options.quiet) this.announceMoveTo(source, moveType);
    source?.atObjectLeave(this, destination);
    destination.atObjectReceive(this, source);
    this.atPostMove(source, moveType);
    return true;
  }

  /** True when `other` is somewhere inside this object (moving into it would make a loop). */
  private isInside(other: DefaultObject): boolean {
    for (let at: DefaultObject | null = other; at; at = at.location) if (at === this) return true;
    return false;
  }

  /** Called once, when the object is first created (not on every load). */
  atObjectCreation(): void {}

  /** Called before a move, after the rooms agreed; return false to veto it. */
  atPreMove(_destination: DefaultObject, _moveType: MoveType): boolean {
    return true;
  }
  /** Called on the old location before `mover` leaves it; return false to veto. */
  atPreObjectLeave(_mover: DefaultObject, _destination: DefaultObject): boolean {
    return true;
  }
  /** Called on the destination before `mover` enters it; return false to veto. */
  atPreObjectReceive(_mover: DefaultObject, _source: DefaultObject | null): boolean {
    return true;
  }
  /** Tells the room being left; called just before the location changes. */
  announceMoveFrom(_destination: DefaultObject, _moveType: MoveType): void {
    this.location?.msgContents(`${this.key} leaves.`, { exclude: [this] });
  }
  /** Tells the room being entered; called just after the location changed. */
  announceMoveTo(_source: DefaultObject | null, _moveType: MoveType): void {
    this.location?.msgContents(`${this.key} arrives.`, { exclude: [this] });
  }
  /** Called on the old location after `mover` left it; GMCP clients watching are told. */
  atObjectLeave(mover: DefaultObject, _destination: DefaultObject): void {
    this.itemChanged('Remove', mover);
  }
  /** Called on the new location after `mover` arrived; GMCP clients watching are told. */
  atObjectReceive(mover: DefaultObject, _source: DefaultObject | null): void {
    this.itemChanged('Add', mover);
  }

  /**
   * GMCP Char.Items for `item`, in or leaving this object: its puppeteer sees it in the
   * inventory, the characters inside it (a room's occupants) see it in the room.
   */
  itemChanged(change: 'Add' | 'Remove' | 'Update', item: DefaultObject): void {
    if (item.isExit) return;
    for (const session of this.sessions) session.itemChanged(change, 'inv', item);
    for (const occupant of this.contents) {
      if (occupant === item) continue;
      for (const session of occupant.sessions) session.itemChanged(change, 'room', item);
    }
  }
  /** Called after the move, with the old location. */
  atPostMove(_source: DefaultObject | null, _moveType: MoveType): void {}

  /** Called by the dispatcher before a command this object runs is executed (`/switches` as typed, lower-cased). */
  atPreCmd(_command: CommandInfo, _args: string, _switches: readonly string[] = []): void {}

  /** Called before a session takes control of this object. */
  atPrePuppet(_account: Account, _session: Session): void {}
  /** Called after a session took control of this object. */
  atPostPuppet(_session: Session): void {}
  /** Called before the puppeting session lets go. */
  atPreUnpuppet(_session: Session): void {}
  /** Called after the session let go (quit, dropped link, take-over or shutdown). */
  atPostUnpuppet(_account: Account, _session: Session): void {}

  /**
   * This object in a GMCP Char.Items message (IRE's item: id, name, attrib letters; `m` a
   * character, `t` something that can be taken).
   */
  gmcpItem(): GmcpItem {
    const item: GmcpItem = { id: String(this.id), name: this.key };
    if (this.record.accountId !== null || this.isPuppeted) item.attrib = 'm';
    else if (this.attributes.get('portable', true)) item.attrib = 't';
    return item;
  }

  /** What `looker` sees when looking at this object. */
  returnAppearance(_looker: DefaultObject): string {
    const desc = this.description;
    return `${this.key}\n${desc || 'You see nothing special.'}`;
  }
}
