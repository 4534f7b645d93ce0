import { validatePassword } from '../../typeclasses/account_manager.ts';
import { targetOf } from '../../server/audit/events.ts';
import { askNewPassword, nameAndPassword } from '../account/password_prompt.ts';
import type { CharacterCommand } from '../command.ts';

export const password: CharacterCommand = {
  key: 'password',
  category: 'Account',
  secretArgs: true,
  help: 'password [<old> <new>] — change your password; with no arguments the game asks, echo off.',
  async run({ session, account, args, reply, audit }) {
    let old: string, next: string | null;
    if (args) {
      const parts = nameAndPassword(args);
      if (!parts.password) return reply('Usage: password <old> <new>');
      [old, next] = [parts.name, parts.password];
      const problem = validatePassword(next);
      if (problem) return reply(problem);
    } else {
      old = await session.ask('Current password: ', { secret: true });
      next = await askNewPassword(session, 'New password: ');
      if (next === null) return;
    }
    if (!(await account.checkPassword(old))) return reply('That is not your current password.');
    await account.setPassword(next);
    audit('password_changed', { target: targetOf(account) });
    reply('Password changed.');
  },
};

export const quit: CharacterCommand = {
  key: 'quit',
  category: 'Account',
  help: 'quit — leave the game and close the connection.',
  run: ({ session }) => session.disconnect('Goodbye! Come back soon.', 'quit'),
};
