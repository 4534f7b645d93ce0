import { expiry, formatDuration, parseStaffArgs, until } from '../../server/staff/duration.ts';
import { ADMIN } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';
import { accountToActOn, auditStaffAction, endSession, sessionsOf, targetOf, usageLine } from './staff_action.ts';

const because = (reason: string) => (reason ? ` (reason: ${reason})` : '');

export const boot: CharacterCommand = {
  key: '@boot',
  lock: ADMIN,
  category: 'Admin',
  help: '@boot <player> [= reason] — end a player\'s sessions; they are shown the reason.',
  run(ctx) {
    const { lhs, reason } = splitReason(ctx.args);
    if (!lhs) return ctx.reply(usageLine(boot.help));
    const account = accountToActOn(ctx, lhs, 'boot');
    if (!account) return;
    if (account.id === ctx.account.id) return ctx.reply('You cannot boot yourself; use quit.');
    const sessions = sessionsOf(ctx, account);
    if (!sessions.length) return ctx.reply(`${account.name} is not online.`);
    ctx.noteTarget(account);
    auditStaffAction(ctx, 'boot', targetOf(account), reason, { sessions: sessions.length });
    for (const session of sessions) endSession(ctx, session, `You have been booted from the game by ${ctx.caller.key}${because(reason)}.`, 'booted');
    ctx.reply(`Booted ${account.name} (${sessions.length} session(s))${because(reason)}.`);
  },
};

export const mute: CharacterCommand = {
  key: '@mute',
  lock: ADMIN,
  category: 'Admin',
  help: '@mute <player> [for <duration>] [= reason] — stop a player\'s say, pose and whisper (durations: 30s, 10m, 2h, 1d, 1w).',
  run(ctx) {
    const parsed = parseStaffArgs(ctx.args);
    if ('error' in parsed) return ctx.reply(parsed.error);
    if (!parsed.target) return ctx.reply(usageLine(mute.help));
    const account = accountToActOn(ctx, parsed.target, 'mute');
    if (!account) return;
    ctx.noteTarget(account);
    const record = ctx.staff.mute(account, parsed.reason, ctx.account.name, expiry(parsed.seconds, Date.now()));
    auditStaffAction(ctx, 'mute', targetOf(account), parsed.reason, { duration_seconds: parsed.seconds, expires_at: record.expiresAt });
    for (const session of sessionsOf(ctx, account)) session.msg(`You have been muted by ${ctx.caller.key} ${until(record.expiresAt)}${because(parsed.reason)}.`);
    const howLong = parsed.seconds === null ? '' : ` for ${formatDuration(parsed.seconds)}`;
    ctx.reply(`Muted ${account.name}${howLong}${because(parsed.reason)}.`);
  },
};

export const unmute: CharacterCommand = {
  key: '@unmute',
  lock: ADMIN,
  category: 'Admin',
  help: '@unmute <player> [= reason] — let a muted player talk again.',
  run(ctx) {
    const { lhs, reason } = splitReason(ctx.args);
    if (!lhs) return ctx.reply(usageLine(unmute.help));
    const account = accountToActOn(ctx, lhs, 'unmute');
    if (!account) return;
    ctx.noteTarget(account);
    if (!ctx.staff.unmute(account)) return ctx.reply(`${account.name} is not muted.`);
    auditStaffAction(ctx, 'unmute', targetOf(account), reason);
    for (const session of sessionsOf(ctx, account)) session.msg(`You are no longer muted.`);
    ctx.reply(`Unmuted ${account.name}.`);
  },
};

export const wall: CharacterCommand = {
  key: '@wall',
  lock: ADMIN,
  category: 'Admin',
  help: '@wall <message> — announce something to everyone online.',
  run(ctx) {
    const message = ctx.args;
    if (!message) return ctx.reply(usageLine(wall.help));
    const online = ctx.sessions.loggedIn();
    auditStaffAction(ctx, 'wall', null, '', { message, recipients: online.length });
    for (const session of online) session.msg(`Announcement from ${ctx.caller.key}: ${message}`);
  },
};

/** `<lhs> [= reason]`. */
export function splitReason(args: string): { lhs: string; reason: string } {
  const at = args.indexOf('=');
  return at < 0 ? { lhs: args.trim(), reason: '' } : { lhs: args.slice(0, at).trim(), reason: args.slice(at + 1).trim() };
}
