import { validatePassword } from '../../typeclasses/account_manager.ts';
import { targetOf } from '../../server/audit/events.ts';
import { ADMIN, splitAssignment } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';

export const setPassword: CharacterCommand = {
  key: '@password',
  lock: ADMIN,
  category: 'Admin',
  secretArgs: true,
  help: "@password <account> = <new password> — reset someone's password (not of an account above your level).\nTheir sessions end, in game and in the audit console, and they are told at their next login.",
  async run({ session, sessions, account: admin, accounts, args, reply, noteTarget, audit, unitOfWork }) {
    const { lhs, rhs } = splitAssignment(args);
    if (!lhs || !rhs) return reply('Usage: @password <account> = <new password>');
    const account = accounts.byName(lhs);
    if (!account) return reply(`No account is called '${lhs}'.`);
    noteTarget(account);
    // Else a stolen Admin account could take over a Developer's by resetting its password.
    if (account.outranks(admin)) {
      audit('password_changed', { success: false, target: targetOf(account), payload: { refused: `${account.permissionLevel} is above ${admin.permissionLevel}` } });
      return reply(`${account.name} is a ${account.permissionLevel}, above your level (${admin.permissionLevel}); you cannot reset that password.`);
    }
    const problem = validatePassword(rhs);
    if (problem) return reply(problem);
    const own = account.id === admin.id;
    await account.changePassword(rhs, own ? null : admin.name);
    unitOfWork(() => {
      const ended = sessions.endSessionsOf(account, session, 'Your password was reset by an admin. Goodbye.', 'password reset');
      audit('password_changed', { target: targetOf(account), payload: { sessions_ended: ended } });
    });
    reply(`Password of ${account.name} changed.${own ? '' : ' Their sessions were ended; they will be told at their next login.'}`);
  },
};
