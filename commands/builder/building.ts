import { targetOf } from '../../server/audit/events.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import { Room } from '../../typeclasses/room.ts';
import type { CharacterCommand, CharacterContext } from '../command.ts';
import { findOne, ROOMS } from '../search.ts';
import { BUILDER, nameWithAliases, splitAssignment } from './syntax.ts';

const ROOM = 'typeclasses/room.Room';
const EXIT = 'typeclasses/exit.Exit';
const THING = 'typeclasses/object.DefaultObject';

/** States a builder's new object once, for the admin trail, and returns it. */
function created(ctx: CharacterContext, obj: DefaultObject): DefaultObject {
  ctx.noteTarget(obj);
  ctx.audit('object_created', { target: targetOf(obj), payload: { typeclass: obj.typeclassPath, location: obj.location?.key ?? null } });
  return obj;
}

function openExit(ctx: CharacterContext, from: DefaultObject, spec: string, to: DefaultObject): DefaultObject | null {
  const { key, aliases } = nameWithAliases(spec);
  if (!key) return null;
  if (from.contents.some((o) => o.isExit && o.answersTo(key))) {
    ctx.reply(`${from.key} already has an exit called '${key}'.`);
    return null;
  }
  const exit = created(ctx, ctx.objects.create({ typeclass: EXIT, key, aliases, location: from, destination: to, home: from }));
  ctx.reply(`Created exit ${exit.key}(${exit.dbref}) from ${from.key} to ${to.key}.`);
  // A mapper in that room learns the new way out now, not at the next move.
  if (from instanceof Room) from.appearanceChanged();
  return exit;
}

/** `… area=The Keep` at the end of a line: the area and the rest of the line. */
export function splitArea(args: string): { rest: string; area: string | null } {
  const match = /(?:^|\s)area\s*=\s*(.*)$/i.exec(args);
  if (!match) return { rest: args, area: null };
  return { rest: args.slice(0, match.index).trim(), area: match[1]!.trim() };
}

export const dig: CharacterCommand = {
  key: '@dig',
  lock: BUILDER,
  category: 'Building',
  help:
    '@dig <room>[;aliases] [= <exit there>[;aliases][, <exit back>[;aliases]]] [area=<area>] — make a new room, and exits to and from it.\n' +
    "The room is in <area> (GMCP Room.Info, Mudlet's mapper), or without area= in the area of the room you are in.\n" +
    'Aliases may be separated by | instead of ; (tintin++ splits lines at ;): @dig Tower|tw = up|u, down|d',
  run(ctx) {
    const { rest, area: given } = splitArea(ctx.args);
    const { lhs, rhs } = splitAssignment(rest);
    const { key, aliases } = nameWithAliases(lhs);
    if (!key || given === '') return ctx.reply('Usage: @dig <room>[;aliases] [= <exit there>[, <exit back>]] [area=<area>]');
    const room = created(ctx, ctx.objects.create({ typeclass: ROOM, key, aliases }));
    const area = given ?? ctx.room?.attributes.get<unknown>('area', null);
    if (typeof area === 'string' && area) room.attributes.set('area', area);
    ctx.reply(`Created room ${room.key}(${room.dbref})${typeof area === 'string' && area ? ` in area ${area}` : ''}.`);
    if (!rhs) return;
    if (!ctx.room) return ctx.reply('You are nowhere, so no exits were made.');
    const [there = '', back = ''] = rhs.split(',').map((s) => s.trim());
    openExit(ctx, ctx.room, there, room);
    openExit(ctx, room, back, ctx.room);
  },
};

export const open: CharacterCommand = {
  key: '@open',
  lock: BUILDER,
  category: 'Building',
  help: '@open <exit>[;aliases] = <destination> — make an exit from this room (aliases: ; or |).',
  run(ctx) {
    const { lhs, rhs } = splitAssignment(ctx.args);
    if (!lhs || !rhs) return ctx.reply('Usage: @open <exit>[;aliases] = <destination>');
    if (!ctx.room) return ctx.reply('You are nowhere.');
    const destination = findOne(ctx, rhs, 'global', ROOMS);
    if (!destination) return;
    openExit(ctx, ctx.room, lhs, destination);
  },
};

export const createObject: CharacterCommand = {
  key: '@create',
  lock: BUILDER,
  category: 'Building',
  help: '@create <name>[;aliases] [: <typeclass>] — make an object and carry it.',
  run(ctx) {
    const [spec = '', typeclass = THING] = ctx.args.split(':').map((s) => s.trim());
    const { key, aliases } = nameWithAliases(spec);
    if (!key) return ctx.reply('Usage: @create <name>[;aliases] [: <typeclass>]');
    if (!ctx.typeclasses.has(typeclass)) return ctx.reply(`Unknown typeclass '${typeclass}' (known: ${ctx.typeclasses.paths().join(', ')})`);
    const obj = created(ctx, ctx.objects.create({ typeclass, key, aliases, location: ctx.caller, home: ctx.room }));
    ctx.reply(`Created ${obj.key}(${obj.dbref}) of ${typeclass}; you carry it.`);
  },
};

export const destroy: CharacterCommand = {
  key: '@destroy',
  aliases: ['@delete'],
  lock: BUILDER,
  category: 'Building',
  help: '@destroy <object> — remove an object for good (exits leading to a destroyed room go too).\nWhat had it as its home is re-homed to the start room; what lay in a destroyed room goes home.',
  run(ctx) {
    if (!ctx.args) return ctx.reply('Usage: @destroy <object>');
    const obj = findOne(ctx, ctx.args, 'nearby');
    if (!obj) return;
    if (obj.isPuppeted || obj.record.accountId !== null) return ctx.reply(`${obj.key} is a player's character; it stays.`);
    if (obj === ctx.objects.startRoom()) return ctx.reply(`${obj.key} is the start room; it stays.`);
    if (obj.contents.some((o) => o.isPuppeted)) return ctx.reply(`Someone is in ${obj.key}; move them first.`);
    const what = `${obj.key}(${obj.dbref})`;
    ctx.noteTarget(obj);
    ctx.audit('object_destroyed', { target: targetOf(obj), payload: { typeclass: obj.typeclassPath, location: obj.location?.key ?? null } });
    const rehomed = ctx.objects.destroy(obj);
    const start = ctx.objects.startRoom().key;
    ctx.reply(`Destroyed ${what}.${rehomed ? ` ${rehomed} object(s) whose home it was now have ${start} as their home.` : ''}`);
  },
};
