import type { CharacterCommand } from '../command.ts';
import { findOne } from '../search.ts';

export const look: CharacterCommand = {
  key: 'look',
  aliases: ['l'],
  category: 'General',
  help: 'look [<target>] — look at your surroundings, or at something or someone here.',
  run(ctx) {
    const { caller, room, args, reply } = ctx;
    if (!args) return reply(room ? room.returnAppearance(caller) : 'You are nowhere at all.');
    const target = findOne(ctx, args, 'nearby');
    if (target) reply(target.returnAppearance(caller));
  },
};
