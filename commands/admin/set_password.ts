import { validatePassword } from '../../typeclasses/account_manager.ts';
import { targetOf } from '../../server/audit/events.ts';
import { ADMIN, splitAssignment } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';

export const setPassword: CharacterCommand = {
  key: '@password',
  lock: ADMIN,
  category: 'Admin',
  secretArgs: true,
  help: '@password <account> = <new password> — set someone\'s password.',
  async run({ accounts, args, reply, noteTarget, audit }) {
    const { lhs, rhs } = splitAssignment(args);
    if (!lhs || !rhs) return reply('Usage: @password <account> = <new password>');
    const account = accounts.byName(lhs);
    if (!account) return reply(`No account is called '${lhs}'.`);
    noteTarget(account);
    const problem = validatePassword(rhs);
    if (problem) return reply(problem);
    await account.setPassword(rhs);
    audit('password_changed', { target: targetOf(account) });
    reply(`Password of ${account.name} changed.`);
  },
};
