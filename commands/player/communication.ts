import { targetOf } from '../../server/audit/events.ts';
import type { CharacterCommand } from '../command.ts';
import { findOne } from '../search.ts';

export const say: CharacterCommand = {
  key: 'say',
  speech: true,
  aliases: ["'", '"'],
  category: 'Communication',
  help: 'say <message> — speak to everyone in the room.',
  run({ caller, room, args, reply, audit }) {
    if (!args) return reply('Say what?');
    reply(`You say, "${args}"`);
    room?.msgContents(`${caller.key} says, "${args}"`, { exclude: [caller] });
    audit('say', { payload: { text: args } });
  },
};

export const pose: CharacterCommand = {
  key: 'pose',
  speech: true,
  aliases: ['emote', ':'],
  category: 'Communication',
  help: 'pose <action> — show everyone in the room what you do ("pose waves" → "Anna waves").',
  run({ caller, room, args, reply, audit }) {
    if (!args) return reply('Pose what?');
    const text = /^[,.'!?:;]/.test(args) ? `${caller.key}${args}` : `${caller.key} ${args}`;
    if (room) room.msgContents(text);
    else reply(text);
    audit('emote', { payload: { text } });
  },
};

export const whisper: CharacterCommand = {
  key: 'whisper',
  speech: true,
  category: 'Communication',
  help: 'whisper <character> = <message> — say something only they hear.',
  run(ctx) {
    const { caller, args, reply } = ctx;
    const at = args.indexOf('=');
    if (at < 0 || !args.slice(at + 1).trim()) return reply('Usage: whisper <character> = <message>');
    const message = args.slice(at + 1).trim();
    const target = findOne(ctx, args.slice(0, at), 'room');
    if (!target) return;
    if (!target.isPuppeted) return reply(`${target.key} is not listening.`);
    target.msg(`${caller.key} whispers to you, "${message}"`);
    reply(`You whisper to ${target.key}, "${message}"`);
    ctx.audit('whisper', { target: targetOf(target, 'character'), payload: { text: message } });
  },
};
