import { AccountError, validateAccountName, validatePassword } from '../../server/accounts.ts';
import { actorOf, auditEvent, targetOf } from '../../server/audit/events.ts';
import type { Game } from '../../server/game.ts';
import type { Session } from '../../server/sessions/session.ts';
import { attemptLogin, banner, refuseIfLocked } from '../../server/sessions/login.ts';
import type { Account } from '../../typeclasses/account.ts';
import { usage, type LoginCommand } from '../command.ts';
import { askNewPassword, nameAndPassword } from './password_prompt.ts';

export const create: LoginCommand = {
  key: 'create',
  aliases: ['cr'],
  secretArgs: true,
  help: 'create <name> [<password>] — make a new account and its character, then enter the game.\nWithout a password on the line, the game asks for it twice, with echo off.',
  async run({ game, session, args, reply, audit }) {
    const { name, password: given } = nameAndPassword(args);
    if (!name) return reply('Usage: create <name> [<password>]');
    const nameProblem = validateAccountName(name);
    if (nameProblem) return reply(nameProblem);
    if (game.accounts.byName(name)) return reply(`The name '${name}' is taken.`);
    let password = given;
    if (password !== null) {
      const problem = validatePassword(password);
      if (problem) return reply(problem);
    } else {
      password = await askNewPassword(session);
      if (password === null) return;
    }
    try {
      const { account, first } = await game.accounts.create(name, password);
      if (session.closed) return;
      audit('account_created', { target: targetOf(account) });
      if (first) game.log.server.info(`First account '${account.name}' created with full admin (Developer) permissions`);
      reply(`Welcome, ${account.name}! Your account is created.`);
      enterGame(game, session, account);
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
  async run({ game, session, args, reply, audit }) {
    const { name, password: given } = nameAndPassword(args);
    if (!name) return reply('Usage: connect <name> [<password>]');
    const attempt = { name, address: session.remoteAddress, audit };
    const refused = refuseIfLocked(game, attempt);
    if (refused?.outcome === 'locked') return reply(refused.message);
    const password = given ?? (await session.ask('Password: ', { secret: true }));
    const result = await attemptLogin(game, attempt, password);
    if (session.closed) return;
    if (result.outcome !== 'ok') {
      if (result.outcome === 'wrong' || result.afterFailure) reply('Wrong name or password.');
      if (result.outcome === 'locked') reply(result.message);
      return;
    }
    enterGame(game, session, result.account);
    const failed = result.failedSinceLastLogin;
    if (failed > 0) reply(`Warning: there were ${failed} failed login attempt(s) on your account since your last login.`);
  },
};

/** Logs the session in and puppets the account's character, making one if it has none. */
function enterGame(game: Game, session: Session, account: Account): void {
  game.store.unitOfWork(() => {
    const character = game.characterOf(account) ?? game.createCharacter(account);
    game.audit.emit(auditEvent('login_ok', actorOf(session, character), { target: targetOf(account) }));
    game.sessions.puppet(session, account, character);
  });
}

export const unloggedLook: LoginCommand = {
  key: 'look',
  aliases: ['l'],
  help: 'look — show the welcome screen again.',
  run: ({ game, reply }) => reply(banner(game.config.serverName)),
};

export const unloggedHelp: LoginCommand = {
  key: 'help',
  aliases: ['h', '?'],
  help: 'help — list what you can do before logging in.',
  run: ({ game, reply }) =>
    reply(['You are not logged in. You can:', ...game.dispatcher.loginCommands.commands.map((c) => `  ${usage(c)}`)].join('\n')),
};

export const unloggedQuit: LoginCommand = {
  key: 'quit',
  aliases: ['q'],
  help: 'quit — close the connection.',
  run: ({ session }) => session.disconnect('Goodbye!', 'quit'),
};

export const loginCommands: readonly LoginCommand[] = [create, connect, unloggedLook, unloggedHelp, unloggedQuit];
