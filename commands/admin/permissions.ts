import { PERMISSION_LEVELS, type Permission } from '../../typeclasses/account.ts';
import { ADMIN, splitAssignment } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';
import { auditStaffAction, findAccount, rank, sessionsOf, targetOf, usageLine } from './staff_action.ts';

/** What @perm may set; Developer is only ever the first account's, or the shell's (npm run admin). */
const SETTABLE: readonly Permission[] = ['Player', 'Builder', 'Admin'];

export const perm: CharacterCommand = {
  key: '@perm',
  lock: ADMIN,
  category: 'Admin',
  help: [
    '@perm <account> = Player|Builder|Admin [<reason>] — change an account\'s permission at once; the reason goes in the audit.',
    'Never above your own level, never on an account above you, never your own.',
  ].join('\n'),
  run(ctx) {
    const { lhs, rhs } = splitAssignment(ctx.args);
    if (!lhs || !rhs) return ctx.reply(usageLine(perm.help));
    // The level, then (optionally) why: `@perm Bob = Builder runs the keep's quests`.
    const [, asked = '', reason = ''] = /^(\S+)\s*(.*)$/s.exec(rhs) ?? [];
    const level = SETTABLE.find((p) => p.toLowerCase() === asked.toLowerCase());
    if (!level) return ctx.reply(`'${asked}' is not a level @perm sets: use ${SETTABLE.join(', ')}.`);
    const account = findAccount(ctx, lhs);
    if (!account) return ctx.reply(`No player or account is called '${lhs}'.`);
    ctx.noteTarget(account);
    const mine = rank(ctx.account);
    if (account.id === ctx.account.id) return ctx.reply('You cannot change your own permission; ask another admin.');
    if (rank(account) > mine) return ctx.reply(`You cannot change ${account.name}: they are ${account.permissionLevel}, above your ${ctx.account.permissionLevel}.`);
    if (PERMISSION_LEVELS.indexOf(level) > mine) return ctx.reply(`You cannot grant ${level}: it is above your own ${ctx.account.permissionLevel}.`);
    const from = account.permissionLevel;
    if (from === level) return ctx.reply(`${account.name} is already ${level}.`);
    account.setPermissions(level === 'Player' ? [] : [level]);
    auditStaffAction(ctx, 'perm', targetOf(account), reason.trim(), { from, to: level });
    for (const session of sessionsOf(ctx, account)) {
      session.msg(`Your permission is now ${level} (was ${from}), set by ${ctx.caller.key}.`);
      session.sendStatus();
    }
    ctx.reply(`${account.name} is now ${level} (was ${from}).`);
  },
};
