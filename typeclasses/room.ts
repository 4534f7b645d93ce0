import { ansi, listNames } from '../server/text.ts';
import { DefaultObject, type GmcpItem } from './object.ts';

/** GMCP Room.Info (https://wiki.mudlet.org/w/Manual:Mapper#GMCP_mapping). */
export interface RoomInfo {
  num: number;
  name: string;
  area: string;
  environment?: string;
  exits: Record<string, number>;
  coords?: number[];
}

/**
 * Webclient.Room: what the webclient's room panel shows beside Room.Info, which has neither
 * (Mudlet's mapper needs neither, and a client that listed only `Room` is not sent it): the
 * description, and who is here now (characters someone is playing; a logged-out character
 * stays in its room but is not "here", as `look` says).
 */
export interface RoomPanel {
  num: number;
  desc: string;
  /** The first PANEL_PEOPLE of the others playing here. */
  people: GmcpItem[];
  /** How many others are playing here in all. */
  others: number;
}

/**
 * People named in one Webclient.Room. Every arrival tells every occupant, so a crowded room
 * (a bench's hundreds in Limbo) must not make each message, and each move, grow with the crowd.
 */
export const PANEL_PEOPLE = 50;

/** Who is playing in a room: the first PANEL_PEOPLE + 1 (one of them may be the viewer) and the count. */
interface Presence {
  first: DefaultObject[];
  count: number;
}

/** A place. Knows its exits: the objects inside it that have a destination. */
export class Room extends DefaultObject {
  static override readonly typeclassPath: string = 'typeclasses/room.Room';

  get exits(): DefaultObject[] {
    return this.contents.filter((obj) => obj.isExit);
  }

  /** The area this room is in (its `area` attribute), for GMCP and Mudlet's mapper. */
  get area(): string {
    const area = this.attributes.get<unknown>('area', null);
    return typeof area === 'string' && area ? area : 'Unknown';
  }

  /**
   * GMCP Room.Info, as Mudlet's mapper reads it: exits name the rooms they lead to. `area`,
   * `environment` and `coords` are attributes builders set (`@dig … area=Keep`,
   * `@set here/environment = forest`, `@set here/coords = [1, 2, 0]`).
   */
  gmcpInfo(): RoomInfo {
    const exits: Record<string, number> = {};
    for (const exit of this.exits) if (exit.destination) exits[exit.key] = exit.destination.id;
    const info: RoomInfo = { num: this.id, name: this.key, area: this.area, exits };
    const environment = this.attributes.get<unknown>('environment', null);
    if (typeof environment === 'string' && environment) info.environment = environment;
    const coords = this.attributes.get<unknown>('coords', null);
    if (Array.isArray(coords) && coords.length >= 2 && coords.length <= 3 && coords.every(Number.isInteger)) info.coords = coords as number[];
    return info;
  }

  /** Webclient.Room as `viewer` sees it (everyone playing here but the viewer). */
  panelInfo(viewer: DefaultObject | null, presence: Presence = this.presence()): RoomPanel {
    const people = presence.first.filter((obj) => obj !== viewer).slice(0, PANEL_PEOPLE).map((obj) => obj.gmcpItem());
    const viewerCounted = viewer !== null && viewer.location === this && viewer.isPuppeted;
    return { num: this.id, desc: this.description, people, others: presence.count - (viewerCounted ? 1 : 0) };
  }

  private presence(): Presence {
    const first: DefaultObject[] = [];
    let count = 0;
    for (const obj of this.contents) {
      if (!obj.isPuppeted || obj.isExit) continue;
      count++;
      if (first.length <= PANEL_PEOPLE) first.push(obj);
    }
    return { first, count };
  }

  /** Someone started or stopped playing here, arrived or left: the occupants' panels follow. */
  peopleChanged(except: DefaultObject | null = null): void {
    let presence: Presence | null = null;
    for (const occupant of this.contents) {
      if (occupant === except) continue;
      for (const session of occupant.sessions) {
        if (session.wantsOob('Webclient.Room')) session.oob('Webclient.Room', this.panelInfo(occupant, (presence ??= this.presence())));
      }
    }
  }

  /**
   * Its name, description, area or exits changed: everyone here gets the room again at once
   * (Room.Info for a mapper, the webclient's panel), as after a move.
   */
  appearanceChanged(): void {
    for (const occupant of this.contents) for (const session of occupant.sessions) session.roomChanged(this);
  }

  override atObjectReceive(mover: DefaultObject, source: DefaultObject | null): void {
    super.atObjectReceive(mover, source);
    // The mover itself gets the whole room from its atPostMove (Session.roomChanged).
    if (mover.isPuppeted) this.peopleChanged(mover);
  }

  override atObjectLeave(mover: DefaultObject, destination: DefaultObject): void {
    super.atObjectLeave(mover, destination);
    if (mover.isPuppeted) this.peopleChanged(mover);
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
