import { normaliseAddress } from '../../server/net/address.ts';
import { expiry, formatDuration, parseStaffArgs } from '../../server/staff/duration.ts';
import { addressPattern, banLine, coversAddress, isStaff } from '../../server/staff/staff.ts';
import { pad } from '../../server/text.ts';
import { ADMIN } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';
import { splitReason } from './moderation.ts';
import { auditStaffAction, endSession, findAccount, patternTarget, rank, usageLine } from './staff_action.ts';

export const ban: CharacterCommand = {
  key: '@ban',
  lock: ADMIN,
  category: 'Admin',
  help: [
    '@ban <name|address|CIDR> [for <duration>] [= reason] — refuse a name at login, or an address (1.2.3.4, 2001:db8::1, 10.0.0.0/8, 2001:db8::/32) at connect.',
    'Durations: 30s, 10m, 2h, 1d, 1w, 1h30m; without one the ban has no end. Whoever is online under the name or from the address is disconnected.',
  ].join('\n'),
  run(ctx) {
    const parsed = parseStaffArgs(ctx.args);
    if ('error' in parsed) return ctx.reply(parsed.error);
    if (!parsed.target) return ctx.reply(usageLine(ban.help));
    const address = addressPattern(parsed.target);
    if (!address && /[/=]/.test(parsed.target)) return ctx.reply(`'${parsed.target}' is neither a name nor an address or CIDR range like 10.0.0.0/8.`);
    const kind = address ? 'address' : 'name';
    const pattern = address ?? parsed.target.toLowerCase();
    if (kind === 'name') {
      const account = findAccount(ctx, pattern);
      if (account?.id === ctx.account.id) return ctx.reply('You cannot ban your own name.');
      if (account && rank(account) > rank(ctx.account)) return ctx.reply(`You cannot ban ${account.name}: they are ${account.permissionLevel}, above your ${ctx.account.permissionLevel}.`);
    }
    if (address && coversAddress(address, ctx.session.remoteAddress)) {
      return ctx.reply(`That would ban your own address (${normaliseAddress(ctx.session.remoteAddress)}): you would be refused the next time you connect.`);
    }
    const record = ctx.staff.ban(kind, pattern, parsed.reason, ctx.account.name, expiry(parsed.seconds, Date.now()));
    auditStaffAction(ctx, 'ban', patternTarget(kind, pattern), parsed.reason, { duration_seconds: parsed.seconds, expires_at: record.expiresAt, ban_id: record.id });
    let ended = 0;
    const bannedAccount = kind === 'name' ? findAccount(ctx, pattern) : null;
    for (const session of ctx.sessions.all()) {
      const hit = kind === 'address' ? coversAddress(pattern, session.remoteAddress) : !!bannedAccount && session.account?.id === bannedAccount.id;
      if (!hit || session === ctx.session || (session.account && rank(session.account) > rank(ctx.account))) continue;
      endSession(ctx, session, kind === 'address' ? banLine('Your address is', record) : banLine(`The name '${pattern}' is`, record), 'banned');
      ended++;
    }
    const howLong = parsed.seconds === null ? '' : ` for ${formatDuration(parsed.seconds)}`;
    ctx.reply(`Banned ${kind} ${pattern}${howLong} (ban #${record.id})${ended ? `; ${ended} session(s) disconnected` : ''}.`);
  },
};

export const unban: CharacterCommand = {
  key: '@unban',
  lock: ADMIN,
  category: 'Admin',
  help: '@unban <name|address|CIDR|#id> [= reason] — lift a ban (see @bans).',
  run(ctx) {
    const { lhs, reason } = splitReason(ctx.args);
    if (!lhs) return ctx.reply(usageLine(unban.help));
    const lifted = ctx.staff.unban(lhs);
    if (!lifted) return ctx.reply(`No ban on '${lhs}'; @bans lists them.`);
    auditStaffAction(ctx, 'unban', patternTarget(lifted.kind, lifted.pattern), reason, { ban_id: lifted.id });
    ctx.reply(`Lifted ban #${lifted.id} on ${lifted.kind} ${lifted.pattern}.`);
  },
};

export const bans: CharacterCommand = {
  key: '@bans',
  lock: ADMIN,
  category: 'Admin',
  help: '@bans — list the bans in force: what, until when, by whom, why.',
  run({ staff, reply }) {
    const list = staff.activeBans();
    if (!list.length) return reply('No bans in force.');
    const header = `${pad('#', 5)} ${pad('Kind', 8)} ${pad('Name or address', 28)} ${pad('Ends (UTC)', 17)} ${pad('By', 14)} Reason`;
    const rows = list.map((b) => {
      const ends = b.expiresAt ? b.expiresAt.slice(0, 16).replace('T', ' ') : 'never';
      return `${pad(String(b.id), 5)} ${pad(b.kind, 8)} ${pad(b.pattern, 28)} ${pad(ends, 17)} ${pad(b.bannedBy, 14)} ${b.reason || '-'}`;
    });
    reply([header, ...rows, `${rows.length} ban(s).`].join('\n'));
  },
};

export const unlock: CharacterCommand = {
  key: '@unlock',
  lock: ADMIN,
  category: 'Admin',
  help: '@unlock <name|address> [= reason] — lift a login lock-out (after too many failed logins).',
  run(ctx) {
    const { lhs, reason } = splitReason(ctx.args);
    if (!lhs) return ctx.reply(usageLine(unlock.help));
    const address = addressPattern(lhs);
    const key = address ?? lhs;
    if (!ctx.loginGuard.unlock(key)) return ctx.reply(`'${lhs}' is not locked out and has no failed logins counted.`);
    auditStaffAction(ctx, 'unlock', patternTarget(address ? 'address' : 'name', key), reason);
    ctx.reply(`Lifted the login lock-out of ${address ? 'address' : 'name'} ${key}.`);
  },
};

export const lockdown: CharacterCommand = {
  key: '@lockdown',
  lock: ADMIN,
  category: 'Admin',
  help: '@lockdown on|off [= reason] — while on, only staff (Builder and above) may log in; others are told the reason, and those online are disconnected with it.',
  run(ctx) {
    const { lhs, reason } = splitReason(ctx.args);
    const mode = lhs.toLowerCase();
    if (mode !== 'on' && mode !== 'off') {
      const state = ctx.staff.lockdown;
      return ctx.reply(`${usageLine(lockdown.help)}\nThe lock-down is ${state ? `on since ${state.since.slice(0, 16).replace('T', ' ')} UTC (by ${state.by}${state.reason ? `: ${state.reason}` : ''})` : 'off'}.`);
    }
    if (mode === 'off') {
      ctx.staff.setLockdown(null);
      auditStaffAction(ctx, 'lockdown_off', null, reason);
      return ctx.reply('Lock-down off: everyone may log in.');
    }
    ctx.staff.setLockdown({ reason, by: ctx.account.name, since: new Date().toISOString() });
    // Only staff may play while it is on: whoever else is online is told why and let go, as a
    // maintenance lock-down needs (a Player left inside could keep playing for hours).
    const others = ctx.sessions.loggedIn().filter((s) => s.account && !isStaff(s.account));
    const why = `The game is locked down by ${ctx.caller.key}: only staff may play now${reason ? ` (${reason})` : ''}. Please come back later.`;
    for (const session of others) endSession(ctx, session, why, 'lockdown');
    auditStaffAction(ctx, 'lockdown_on', null, reason, { sessions_ended: others.length });
    ctx.reply(`Lock-down on: only staff may log in${reason ? ` (${reason})` : ''}; ${others.length} player session(s) disconnected.`);
  },
};
