import type { DefaultObject } from '../../typeclasses/object.ts';
import { Room } from '../../typeclasses/room.ts';
import { targetOf } from '../../server/audit/events.ts';
import type { CharacterCommand, CharacterContext } from '../command.ts';
import { findOne } from '../search.ts';

/** Why `obj` cannot be picked up, or null when it can: rooms, exits and characters stay put. */
function cannotCarry(ctx: CharacterContext, obj: DefaultObject): string | null {
  if (obj === ctx.caller) return 'You cannot pick yourself up.';
  if (obj.isExit || obj instanceof Room || obj.isPuppeted || obj.record.accountId !== null) return `You cannot pick up ${obj.key}.`;
  if (!obj.attributes.get('portable', true)) return `${obj.key} will not budge.`;
  return null;
}

export const inventory: CharacterCommand = {
  key: 'inventory',
  aliases: ['i', 'inv'],
  category: 'General',
  help: 'inventory — list what you carry.',
  run({ caller, reply }) {
    const items = caller.contents.map((o) => `  ${o.key}`);
    reply(items.length ? ['You are carrying:', ...items].join('\n') : 'You are not carrying anything.');
  },
};

export const get: CharacterCommand = {
  key: 'get',
  aliases: ['take'],
  category: 'General',
  help: 'get <object> — pick something up from the room.',
  run(ctx) {
    const { caller, room, args, reply } = ctx;
    if (!args) return reply('Get what?');
    const obj = findOne(ctx, args, 'room');
    if (!obj) return;
    const refusal = cannotCarry(ctx, obj);
    if (refusal) return reply(refusal);
    if (!obj.moveTo(caller, { quiet: true, moveType: 'get' })) return reply(`You cannot get ${obj.key}.`);
    reply(`You pick up ${obj.key}.`);
    ctx.audit('get', { target: targetOf(obj) });
    room?.msgContents(`${caller.key} picks up ${obj.key}.`, { exclude: [caller] });
  },
};

export const drop: CharacterCommand = {
  key: 'drop',
  category: 'General',
  help: 'drop <object> — put down something you carry.',
  run(ctx) {
    const { caller, room, args, reply } = ctx;
    if (!args) return reply('Drop what?');
    if (!room) return reply('There is nowhere to drop it.');
    const obj = findOne(ctx, args, 'inventory');
    if (!obj) return;
    if (!obj.moveTo(room, { quiet: true, moveType: 'drop' })) return reply(`You cannot drop ${obj.key}.`);
    reply(`You drop ${obj.key}.`);
    ctx.audit('drop', { target: targetOf(obj) });
    room.msgContents(`${caller.key} drops ${obj.key}.`, { exclude: [caller] });
  },
};

export const give: CharacterCommand = {
  key: 'give',
  category: 'General',
  help: 'give <object> to <character> — hand something you carry to someone here ("give <object> = <character>" works too).',
  run(ctx) {
    const { caller, args, reply } = ctx;
    const parts = /^(.+?)\s*(?:=|\bto\b)\s*(.+)$/i.exec(args);
    if (!parts) return reply('Usage: give <object> to <character>');
    const obj = findOne(ctx, parts[1]!, 'inventory');
    if (!obj) return;
    const receiver = findOne(ctx, parts[2]!, 'room');
    if (!receiver) return;
    if (!receiver.isPuppeted && receiver.record.accountId === null) return reply(`${receiver.key} cannot take things.`);
    if (!obj.moveTo(receiver, { quiet: true, moveType: 'give' })) return reply(`You cannot give ${obj.key} away.`);
    reply(`You give ${obj.key} to ${receiver.key}.`);
    receiver.msg(`${caller.key} gives you ${obj.key}.`);
    ctx.audit('give', { target: targetOf(obj), payload: { receiver: receiver.key, receiver_id: receiver.id } });
  },
};
