import type { DefaultObject } from '../typeclasses/object.ts';
import type { CharacterContext } from './command.ts';

export type SearchScope = 'room' | 'inventory' | 'nearby' | 'global';

/**
 * Finds exactly one object for a command, or tells the caller why not and returns null.
 * `me` and `here` mean the caller and its room; `#id` works everywhere for builders.
 */
export function findOne(ctx: CharacterContext, name: string, scope: SearchScope = 'nearby'): DefaultObject | null {
  const wanted = name.trim();
  if (!wanted) {
    ctx.reply('Which one?');
    return null;
  }
  const lower = wanted.toLowerCase();
  if (lower === 'me' || lower === 'self') return ctx.caller;
  if (lower === 'here' && ctx.room) return ctx.room;
  const candidates = candidatesIn(ctx, scope, wanted.startsWith('#'));
  const found = ctx.objects.search(wanted, candidates);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    ctx.reply(`Could not find '${wanted}'.`);
    return null;
  }
  ctx.reply(`'${wanted}' could mean: ${found.map((o) => `${o.key}(${o.dbref})`).join(', ')}. Use the #id to choose.`);
  return null;
}

function candidatesIn(ctx: CharacterContext, scope: SearchScope, byDbref: boolean): Iterable<DefaultObject> | undefined {
  if (scope === 'global' || (byDbref && ctx.account.hasPermission('Builder'))) return undefined;
  const inventory = ctx.caller.contents;
  const room = ctx.room?.contents ?? [];
  if (scope === 'inventory') return inventory;
  if (scope === 'room') return room.filter((o) => o !== ctx.caller);
  return [...inventory, ...room];
}
