/**
 * What GMCP tells a client of the character it plays: its name (Char.Name), its status
 * (Char.Status), what is in the room and in its hands (Char.Items.*), and the room itself
 * (Room.Info for Mudlet's mapper, Webclient.Room for the webclient's panels). Apart from the
 * session because it is about the world, not the connection: it reads the puppet and its room,
 * and speaks only through the session's `oob`, which already checks Core.Supports and waits for
 * the commit (session.ts). What a client may send us is checked in oob.ts.
 */
import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import { Room } from '../../typeclasses/room.ts';

/** Where a GMCP Char.Items message says the item is: the room, or what the character carries. */
export type ItemsLocation = 'room' | 'inv';

/** The part of a session these messages need: who plays, as whom, and its OOB channel. */
export interface OobCharacterTarget {
  readonly account: Account | null;
  readonly puppet: DefaultObject | null;
  /** Would the client take `pkg`? Asked before building a payload nobody reads. */
  wantsOob(pkg: string): boolean;
  oob(pkg: string, data?: unknown): void;
}

/** Room.Info, Webclient.Room, who and what is here, Char.Status: the room the character is in now. */
export function sendRoom(target: OobCharacterTarget, room: DefaultObject): void {
  if (target.wantsOob('Room.Info')) {
    target.oob('Room.Info', room instanceof Room ? room.gmcpInfo() : { num: room.id, name: room.key, area: 'Unknown', exits: {} });
  }
  // The description and who is here, for the webclient's panels (typeclasses/room.ts).
  if (room instanceof Room && target.wantsOob('Webclient.Room')) target.oob('Webclient.Room', room.panelInfo(target.puppet));
  sendItemsList(target, 'room');
  sendStatus(target);
}

/** Char.Items.Add/Remove/Update: `item` came, went or changed in the room or the inventory. */
export function sendItemChange(target: OobCharacterTarget, change: 'Add' | 'Remove' | 'Update', location: ItemsLocation, item: DefaultObject): void {
  if (!target.wantsOob(`Char.Items.${change}`)) return;
  target.oob(`Char.Items.${change}`, { location, item: item.gmcpItem() });
}

/** Char.Items.List: everything in the room (but the character itself), or everything it carries. */
export function sendItemsList(target: OobCharacterTarget, location: ItemsLocation): void {
  const puppet = target.puppet;
  if (!puppet || !target.wantsOob('Char.Items.List')) return;
  const container = location === 'inv' ? puppet : puppet.location;
  const items = (container?.contents ?? []).filter((obj) => obj !== puppet && !obj.isExit).map((obj) => obj.gmcpItem());
  target.oob('Char.Items.List', { location, items });
}

/** Char.Status: who is playing, as whom, with what permission, and where. */
export function sendStatus(target: OobCharacterTarget): void {
  const { account, puppet } = target;
  if (!account || !puppet || !target.wantsOob('Char.Status')) return;
  const room = puppet.location;
  target.oob('Char.Status', {
    name: puppet.key,
    fullname: puppet.key,
    account: account.name,
    permission: account.permissionLevel,
    location: room?.key ?? null,
    area: room instanceof Room ? room.area : null,
  });
}

/** Char.Name and the inventory: what a client shows at once when the player logs in. */
export function sendLoginState(target: OobCharacterTarget): void {
  sendName(target);
  sendItemsList(target, 'inv');
}

/** Everything a GMCP client shows of its character, sent again (after Core.Supports). */
export function sendCharacterState(target: OobCharacterTarget): void {
  sendName(target);
  const room = target.puppet?.location;
  if (room) sendRoom(target, room);
  sendItemsList(target, 'inv');
}

/** Char.Name: the character played, else (not yet puppeting) the account. */
function sendName(target: OobCharacterTarget): void {
  const name = target.puppet?.key ?? target.account?.name ?? '';
  target.oob('Char.Name', { name, fullname: name });
}
