import { validatePassword } from '../../typeclasses/account_manager.ts';
import { passwordText } from '../../typeclasses/passwords.ts';
import type { Session } from '../../server/sessions/session.ts';

/**
 * Asks for a new password twice with echo off; returns it, or null after telling the player
 * what was wrong. The answers go straight to this code, never through the dispatcher or a log.
 */
export async function askNewPassword(session: Session, question = 'Password: '): Promise<string | null> {
  const password = await session.ask(question, { secret: true });
  // Both answers are taken before either is judged: a confirmation typed ahead must be consumed
  // here, or it would run as the next command (a password starting with ' would be said aloud).
  const again = await session.ask('Confirm password: ', { secret: true });
  const problem = validatePassword(password);
  if (problem) {
    session.msg(problem);
    return null;
  }
  if (passwordText(again) !== passwordText(password)) {
    session.msg('The passwords did not match.');
    return null;
  }
  return password;
}

/**
 * Splits `name password` (the one-line auto-login form) into its two parts. The password is
 * trimmed here as at every other form (typeclasses/passwords.ts, passwordText).
 */
export function nameAndPassword(args: string): { name: string; password: string | null } {
  const space = args.search(/\s/);
  if (space < 0) return { name: args, password: null };
  return { name: args.slice(0, space), password: args.slice(space + 1).trim() || null };
}
