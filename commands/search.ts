import type { DefaultObject } from '../typeclasses/object.ts';
import { Room } from '../typeclasses/room.ts';
import type { CharacterContext } from './command.ts';

/**
 * Where a command looks. `anywhere` (staff tools: @examine, @typeclass, @tel) prefers what is
 * nearby and else looks in the whole world, offline characters included, so a name that is
 * also something in the room means that thing.
 */
export type SearchScope = 'room' | 'inventory' | 'nearby' | 'global' | 'anywhere';

/**
 * Finds exactly one object for a command, or tells the caller why not and returns null.
 * `me` and `here` mean the caller and its room; `#id` works everywhere for builders.
 * `accept` narrows what may be meant (@tel's destination: rooms only); `what` names it in the
 * reply when nothing fits ("Could not find a room called 'x'.").
 */
export function findOne(
  ctx: CharacterContext,
  name: string,
  scope: SearchScope = 'nearby',
  accept: { test: (obj: DefaultObject) => boolean; what: string } | null = null,
): DefaultObject | null {
  const wanted = name.trim();
  if (!wanted) {
    ctx.reply('Which one?');
    return null;
  }
  const lower = wanted.toLowerCase();
  if (lower === 'me' || lower === 'self') return ctx.caller;
  if (lower === 'here' && ctx.room) return ctx.room;
  const fits = (objs: DefaultObject[]) => (accept ? objs.filter(accept.test) : objs);
  let found = fits(ctx.objects.search(wanted, candidatesIn(ctx, scope === 'anywhere' ? 'nearby' : scope, wanted.startsWith('#'))));
  if (!found.length && scope === 'anywhere') found = fits(ctx.objects.search(wanted));
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    ctx.reply(accept ? `Could not find ${accept.what} called '${wanted}'.` : `Could not find '${wanted}'.`);
    return null;
  }
  ctx.reply(`'${wanted}' could mean: ${found.map((o) => `${o.key}(${o.dbref})`).join(', ')}. Use the #id to choose.`);
  return null;
}

/** What a destination may be (@tel, @open): a room, never an exit, a thing or a character. */
export const ROOMS = { test: (obj: DefaultObject) => obj instanceof Room, what: 'a room' };

function candidatesIn(ctx: CharacterContext, scope: SearchScope, byDbref: boolean): Iterable<DefaultObject> | undefined {
  if (scope === 'global' || (byDbref && ctx.account.hasPermission('Builder'))) return undefined;
  const inventory = ctx.caller.contents;
  const room = ctx.room?.contents ?? [];
  if (scope === 'inventory') return inventory;
  if (scope === 'room') return room.filter((o) => o !== ctx.caller);
  return [...inventory, ...room];
}
