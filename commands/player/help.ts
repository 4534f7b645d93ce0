import { usage, type CharacterCommand } from '../command.ts';

export const help: CharacterCommand = {
  key: 'help',
  aliases: ['h', '?'],
  category: 'General',
  help: 'help [<command>] — list the commands you can use, or show one command\'s help.',
  run({ cmdsets, account, args, reply }) {
    const mine = cmdsets.character.allowedFor(account);
    if (args) {
      const wanted = args.toLowerCase();
      const command = mine.find((c) => c.key === wanted || c.aliases?.includes(wanted));
      if (!command) return reply(`No help for '${args}'. Type "help" for the list.`);
      const aliases = command.aliases?.length ? `\nAliases: ${command.aliases.join(', ')}` : '';
      return reply(`${command.help}${aliases}`);
    }
    const byCategory = new Map<string, string[]>();
    for (const command of mine) {
      const category = command.category ?? 'General';
      byCategory.set(category, [...(byCategory.get(category) ?? []), `  ${usage(command)}`]);
    }
    const sections = [...byCategory].map(([category, lines]) => `${category}:\n${lines.join('\n')}`);
    reply([...sections, 'Exits in the room work as commands too: type "north" or "n" to go north.'].join('\n\n'));
  },
};
