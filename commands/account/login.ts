import { AccountError, validateAccountName, validatePassword } from '../../typeclasses/account_manager.ts';
import { actorOf, auditEvent, targetOf } from '../../server/audit/events.ts';
import { attemptLogin, banner, refuseIfLocked } from '../../server/sessions/login.ts';
import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { ObjectManager } from '../../typeclasses/object_manager.ts';
import { usage, type LoginCommand, type LoginContext } from '../command.ts';
import { askNewPassword, nameAndPassword } from './password_prompt.ts';
import { banLine, isStaff } from '../../server/staff/staff.ts';

export const create: LoginCommand = {
  key: 'create',
  aliases: ['cr'],
  secretArgs: true,
  help: 'create <name> [<password>] — make a new account and its character, then enter the game.\nWithout a password on the line, the game asks for it twice, with echo off.',
  async run(ctx) {
    const { accounts, session, args, reply, audit } = ctx;
    const { name, password: given } = nameAndPassword(args);
    if (!name) return reply('Usage: create <name> [<password>]');
    const nameProblem = validateAccountName(name);
    if (nameProblem) return reply(nameProblem);
    if (accounts.byName(name)) return reply(`The name '${name}' is taken.`);
    const refused = refuseBannedOrLockedDown(ctx, name, null);
    if (refused) return reply(refused);
    // Counted at the attempt, before the password hash: parallel attempts cannot slip past it.
    const tooMany = ctx.sessions.limits.admitAccountCreation(session);
    if (tooMany) return session.disconnect(tooMany, 'rate limited');
    let password = given;
    if (password !== null) {
      const problem = validatePassword(password);
      if (problem) return reply(problem);
    } else {
      password = await askNewPassword(session);
      if (password === null) return;
    }
    try {
      const account = await accounts.create(name, password);
      if (session.closed) return;
      audit('account_created', { target: targetOf(account) });
      reply(`Welcome, ${account.name}! Your account is created.`);
      // A GMCP login may have finished while the password was being hashed.
      if (session.isLoggedIn) return reply('You are already logged in; the new account is ready for next time.');
      const refused = enterGame(ctx, account);
      if (refused) return reply(refused);
    } catch (error) {
      if (error instanceof AccountError) return reply(error.message);
      throw error;
    }
  },
};

export const connect: LoginCommand = {
  key: 'connect',
  aliases: ['conn', 'co'],
  secretArgs: true,
  help: 'connect <name> [<password>] — log in to your account.\nWithout a password on the line, the game asks for it with echo off.',
  async run(ctx) {
    const { session, args, reply, audit } = ctx;
    const { name, password: given } = nameAndPassword(args);
    if (!name) return reply('Usage: connect <name> [<password>]');
    const banned = refuseBannedOrLockedDown(ctx, name, null, 'ban');
    if (banned) return reply(banned);
    const attempt = { name, address: session.remoteAddress, audit };
    const refused = refuseIfLocked(ctx, attempt);
    if (refused?.outcome === 'locked') return reply(refused.message);
    const password = given ?? (await session.ask('Password: ', { secret: true }));
    const result = await attemptLogin(ctx, attempt, password);
    if (session.closed) return;
    if (result.outcome === 'busy') return reply(result.message);
    if (result.outcome !== 'ok') {
      if (result.outcome === 'wrong' || result.afterFailure) reply('Wrong name or password.');
      if (result.outcome === 'locked') reply(result.message);
      return;
    }
    // A GMCP login may have finished while this password was being hashed: one login a session.
    if (session.isLoggedIn) return reply('Already logged in.');
    const turnedAway = returnToGame(ctx, result);
    if (turnedAway) reply(turnedAway);
  },
};

/**
 * A login out of band (GMCP Char.Login.Credentials, https://wiki.mudlet.org/w/Manual:Supported_Protocols#Char.Login):
 * the attempt `connect` makes, told as Char.Login.Result instead of text. The events carry
 * `via: 'gmcp'`; the password goes nowhere but the hash check.
 */
export async function loginOutOfBand(ctx: LoginContext, name: string, password: string): Promise<void> {
  const { session } = ctx;
  const banned = refuseBannedOrLockedDown(ctx, name, null, 'ban');
  if (banned) return session.oob('Char.Login.Result', { success: false, message: banned });
  const attempt = { name, address: session.remoteAddress, audit: ctx.audit, payload: { via: 'gmcp' } };
  const result = await attemptLogin(ctx, attempt, password);
  if (session.closed) return;
  if (result.outcome !== 'ok') {
    const message = result.outcome === 'locked' ? result.message : 'Wrong name or password.';
    return session.oob('Char.Login.Result', { success: false, message });
  }
  if (session.isLoggedIn) return session.oob('Char.Login.Result', { success: false, message: 'Already logged in.' });
  // Success is said only once the name ban and the lock-down have let the account in.
  const refused = returnToGame(ctx, result, () => session.oob('Char.Login.Result', { success: true, message: `Welcome back, ${result.account.name}.` }));
  if (!refused) return;
  session.oob('Char.Login.Result', { success: false, message: refused });
  ctx.reply(refused);
}

/**
 * A returning player's way in, whichever way they logged in (connect, GMCP): enterGame, then
 * what happened to the account while they were away. The line refusing it, or null.
 */
function returnToGame(ctx: LoginContext, result: { account: Account; failedSinceLastLogin: number }, admitted?: () => void): string | null {
  // Read before entering: the login clears it.
  const reset = result.account.passwordResetNotice;
  const refused = enterGame(ctx, result.account, admitted);
  if (refused) return refused;
  if (reset) ctx.reply(`Note: your password was reset by the admin ${reset.by} at ${reset.at.slice(0, 19).replace('T', ' ')} UTC. If you did not ask for that, tell the other admins.`);
  const failed = result.failedSinceLastLogin;
  if (failed > 0) ctx.reply(`Warning: there were ${failed} failed login attempt(s) on your account since your last login.`);
  return null;
}

/** The character `account` owns, if it has one yet. */
export function characterOf(objects: ObjectManager, account: Account): DefaultObject | null {
  for (const obj of objects.all()) if (obj.record.accountId === account.id) return obj;
  return null;
}

/** A new character for `account`, named after it, in (and at home in) the start room. */
function createCharacter({ objects, config }: LoginContext, account: Account): DefaultObject {
  const start = objects.startRoom();
  return objects.create({
    typeclass: config.defaultCharacterTypeclass,
    key: account.name,
    location: start,
    home: start,
    accountId: account.id,
  });
}

/**
 * The line refusing a login under a banned name (the account's or its character's), or any
 * non-staff login while the game is locked down; null to let it in. `only: 'ban'` asks about the
 * name alone (before the password is asked for, when the account is not known yet).
 */
function refuseBannedOrLockedDown(ctx: LoginContext, name: string, account: Account | null, only?: 'ban'): string | null {
  const { staff, session } = ctx;
  const character = account ? characterOf(ctx.objects, account) : null;
  for (const which of [name, character?.key].filter((n): n is string => !!n)) {
    const ban = staff.nameBan(which);
    if (!ban) continue;
    staff.noteRefusal(actorOf(session, null), ban, name);
    return banLine(`The name '${which}' is`, ban);
  }
  const lockdown = staff.lockdown;
  if (only || !lockdown || (account && isStaff(account))) return null;
  return `The game is locked down: only staff may log in now${lockdown.reason ? ` (${lockdown.reason})` : ''}. Please try again later.`;
}

/**
 * Logs the session in and puppets the account's character, making one if it has none; or the
 * line refusing it (a name ban, the lock-down), for the caller to tell. `admitted` runs once it
 * is let in, before anything of the character is sent.
 */
function enterGame(ctx: LoginContext, account: Account, admitted?: () => void): string | null {
  const { session } = ctx;
  const refused = refuseBannedOrLockedDown(ctx, account.name, account);
  if (refused) return refused;
  admitted?.();
  ctx.unitOfWork(() => {
    const character = characterOf(ctx.objects, account) ?? createCharacter(ctx, account);
    ctx.auditBus.emit(auditEvent('login_ok', actorOf(session, character), { by: character, target: targetOf(account) }));
    ctx.sessions.puppet(session, account, character);
    // What was said on their channels while they were away, and Comm.Channel.List.
    ctx.channels.catchUp(session);
  });
  return null;
}

export const unloggedLook: LoginCommand = {
  key: 'look',
  aliases: ['l'],
  help: 'look — show the welcome screen again.',
  run: ({ config, reply }) => reply(banner(config.serverName)),
};

export const unloggedHelp: LoginCommand = {
  key: 'help',
  aliases: ['h', '?'],
  help: 'help — list what you can do before logging in.',
  run: ({ cmdsets, reply }) =>
    reply(['You are not logged in. You can:', ...cmdsets.login.commands.map((c) => `  ${usage(c)}`)].join('\n')),
};

export const unloggedQuit: LoginCommand = {
  key: 'quit',
  aliases: ['q'],
  help: 'quit — close the connection.',
  run: ({ session }) => session.disconnect('Goodbye!', 'quit'),
};

export const loginCommands: readonly LoginCommand[] = [create, connect, unloggedLook, unloggedHelp, unloggedQuit];
