import type { CharacterCommand } from '../command.ts';
import { findOne } from '../search.ts';
import { BUILDER, splitAssignment } from './syntax.ts';

export const teleport: CharacterCommand = {
  key: '@tel',
  aliases: ['@teleport'],
  lock: BUILDER,
  category: 'Building',
  help: '@tel [<object> =] <destination> — move yourself, or something, anywhere at once.',
  run(ctx) {
    const { lhs, rhs } = splitAssignment(ctx.args);
    if (!lhs) return ctx.reply('Usage: @tel [<object> =] <destination>');
    const traveller = rhs === null ? ctx.caller : findOne(ctx, lhs, 'global');
    const destination = findOne(ctx, rhs ?? lhs, 'global');
    if (!traveller || !destination) return;
    ctx.noteTarget(traveller);
    if (traveller.location === destination) return ctx.reply(`${traveller.key} is already there.`);
    if (!traveller.moveTo(destination, { moveType: 'teleport' })) return ctx.reply(`${traveller.key} could not be moved there.`);
    if (traveller !== ctx.caller) ctx.reply(`Teleported ${traveller.key} to ${destination.key}.`);
  },
};
