import { Exit } from '../../typeclasses/exit.ts';
import type { CharacterCommand } from '../command.ts';

export const go: CharacterCommand = {
  key: 'go',
  category: 'Movement',
  help: 'go <exit> — leave through an exit (typing the exit\'s name, like "north" or "n", does the same).',
  run({ caller, room, args, reply }) {
    if (!args) return reply('Go where?');
    const exit = room?.exitNamed(args);
    if (!(exit instanceof Exit)) return reply(`You cannot go '${args}' from here.`);
    exit.traverse(caller);
  },
};

export const home: CharacterCommand = {
  key: 'home',
  category: 'Movement',
  help: 'home — return to your home room.',
  run({ caller, objects, reply }) {
    const target = caller.home ?? objects.startRoom();
    if (caller.location === target) return reply('You are already home.');
    reply('There is no place like home...');
    if (!caller.moveTo(target, { moveType: 'home' })) reply('Something keeps you from going home.');
  },
};
