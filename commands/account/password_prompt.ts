import { validatePassword } from '../../typeclasses/account_manager.ts';
import { passwordText } from '../../typeclasses/passwords.ts';
import type { Session } from '../../server/sessions/session.ts';

/** Tries at a new password that is too short or too long before the game gives up. */
const PASSWORD_TRIES = 3;

/**
 * Asks for a new password with echo off, judged at once (too short: said before the
 * confirmation, and asked again), then once more to confirm; returns it, or null after telling
 * the player what was wrong. The answers go straight to this code, never through the
 * dispatcher or a log. A confirmation typed ahead after a rejected password is taken as the
 * next try, still secret: it can never run as a command (a password starting with ' would be
 * said aloud), and a script's two typed-ahead lines are used up within the tries.
 */
export async function askNewPassword(session: Session, question = 'Password: '): Promise<string | null> {
  let password: string | null = null;
  for (let tries = 0; password === null; tries++) {
    if (tries === PASSWORD_TRIES) return null;
    const answer = await session.ask(question, { secret: true });
    const problem = validatePassword(answer);
    if (!problem) password = answer;
    else session.msg(tries + 1 < PASSWORD_TRIES ? `${problem} Try again.` : problem);
  }
  const again = await session.ask('Confirm password: ', { secret: true });
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
