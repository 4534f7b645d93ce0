import { validatePassword } from '../../typeclasses/account_manager.ts';
import { targetOf } from '../../server/audit/events.ts';
import { askNewPassword, nameAndPassword } from '../account/password_prompt.ts';
import type { CharacterCommand } from '../command.ts';

export const password: CharacterCommand = {
  key: 'password',
  category: 'Account',
  secretArgs: true,
  help: 'password [<old> <new>] — change your password; with no arguments the game asks, echo off.',
  async run({ session, sessions, account, args, reply, audit, unitOfWork }) {
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
    await account.changePassword(next);
    // After the await: a unit of its own, so the logouts and the event commit together.
    unitOfWork(() => {
      const ended = sessions.endSessionsOf(account, session, 'Your password was changed from another connection. Goodbye.', 'password changed');
      audit('password_changed', { target: targetOf(account), payload: { sessions_ended: ended } });
    });
    reply('Password changed. Any other session of this account was ended, in game and in the audit console.');
  },
};

export const quit: CharacterCommand = {
  key: 'quit',
  category: 'Account',
  help: 'quit — leave the game and close the connection.',
  run: ({ session }) => session.disconnect('Goodbye! Come back soon.', 'quit'),
};

export const claim: CharacterCommand = {
  key: 'claim',
  category: 'Account',
  secretArgs: true,
  help: 'claim <token> — make your account the Developer with the one-time admin token.\nThe server prints the token at start while no account is a Developer; `npm run admin -- token` shows it too.',
  run({ accounts, account, args, reply, audit, log, session }) {
    if (!args) return reply('Usage: claim <token>');
    const from = account.permissionLevel;
    if (!accounts.claimAdmin(account, args)) {
      audit('permissions_changed', { success: false, target: targetOf(account), payload: { from, to: 'Developer', via: 'admin token', refused: 'wrong or used token' } });
      return reply('That is not the admin token (or it has been used already).');
    }
    audit('permissions_changed', { target: targetOf(account), payload: { from, to: 'Developer', via: 'admin token' } });
    log.info(`Account '${account.name}' claimed the admin token: full admin (Developer) permissions`);
    reply('You are now the Developer: full admin permissions. The token is used up.');
    session.sendStatus();
  },
};
