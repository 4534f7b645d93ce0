import { Character } from '../../typeclasses/character.ts';
import type { CharacterCommand } from '../command.ts';
import { findOne, ROOMS } from '../search.ts';
import { BUILDER, splitAssignment } from './syntax.ts';

export const teleport: CharacterCommand = {
  key: '@tel',
  aliases: ['@teleport'],
  lock: BUILDER,
  category: 'Building',
  help:
    '@tel [<object> =] <room> — move yourself, or something or someone, to a room at once.\n' +
    'An offline character is not moved now: it comes back in that room when next played.',
  run(ctx) {
    const { lhs, rhs } = splitAssignment(ctx.args);
    if (!lhs) return ctx.reply('Usage: @tel [<object> =] <room>');
    const traveller = rhs === null ? ctx.caller : findOne(ctx, lhs, 'anywhere');
    if (!traveller) return;
    const destination = findOne(ctx, rhs ?? lhs, 'global', ROOMS);
    if (!destination) return;
    ctx.noteTarget(traveller);
    if (traveller instanceof Character && traveller.isOffline) {
      traveller.setReturnRoom(destination);
      return ctx.reply(`${traveller.key} is offline; they will come back in ${destination.key}.`);
    }
    if (traveller.location === destination) return ctx.reply(`${traveller.key} is already there.`);
    if (!traveller.moveTo(destination, { moveType: 'teleport' })) return ctx.reply(`${traveller.key} could not be moved there.`);
    if (traveller !== ctx.caller) ctx.reply(`Teleported ${traveller.key} to ${destination.key}.`);
  },
};
