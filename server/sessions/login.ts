import type { Account } from '../../typeclasses/account.ts';
import type { AuditEvent, AuditEventType } from '../audit/events.ts';
import type { AccountManager } from '../../typeclasses/account_manager.ts';
import type { LoginGuard, Lockout } from './login_guard.ts';
import { PasswordQueueFullError } from '../../typeclasses/passwords.ts';

/** The login screen every new connection is greeted with (and `look` shows again). */
export function banner(serverName: string): string {
  return [
    '',
    `Welcome to ${serverName}!`,
    '',
    '  create <name>        make an account (the game asks for a password)',
    '  connect <name>       log in to your account',
    '  help                 what else you can do',
    '  quit                 leave',
    '',
  ].join('\n');
}

/** What a login needs: the accounts to check the password against, and the lock-out guard. */
export interface LoginPorts {
  readonly accounts: Pick<AccountManager, 'authenticate' | 'byName' | 'triedName'>;
  readonly loginGuard: LoginGuard;
}

/** States an audit event with the caller's actor (a telnet session, a web console request). */
export type AuditFn = (type: AuditEventType, fields: Partial<Pick<AuditEvent, 'target' | 'payload' | 'success'>>) => void;

export type LoginResult =
  | { outcome: 'ok'; account: Account; failedSinceLastLogin: number }
  | { outcome: 'wrong' }
  /** Locked out: already (nothing was checked) or by this very failure (`afterFailure`). */
  | { outcome: 'locked'; lock: Lockout; afterFailure: boolean; message: string }
  /** Too many passwords being checked server-wide: refused at once, nothing counted. */
  | { outcome: 'busy'; message: string };

export interface LoginAttempt {
  name: string;
  address: string;
  audit: AuditFn;
  /** Added to every event's payload (the console marks its own with `via: 'admin'`). */
  payload?: Record<string, unknown>;
}

/** Where the account last logged in from: an address the guard lets in even while the name is under attack. */
function knownFrom(ports: LoginPorts, name: string): string | null {
  return ports.accounts.byName(name)?.record.lastLoginAddr ?? null;
}

/**
 * A lock-out in force for this name or address, audited as a refusal; null when the login may
 * go on. Front ends ask this before prompting for a password; it counts nothing.
 */
export function refuseIfLocked(ports: LoginPorts, attempt: LoginAttempt): LoginResult | null {
  const lock = ports.loginGuard.check(attempt.name, attempt.address, knownFrom(ports, attempt.name));
  return lock ? locked(ports, attempt, lock, false) : null;
}

/**
 * One login attempt as every front end makes it: the attempt is counted by the guard before
 * the password is hashed (so parallel guesses past the limit are refused, not evaluated), the
 * password checked through the bounded hash queue (an unknown name costs a hash too), then the
 * failure kept or the count taken back, with the audit events. What to tell the person, and
 * the login_ok event with its actor, stay with the front end.
 */
export async function attemptLogin(ports: LoginPorts, attempt: LoginAttempt, password: string): Promise<LoginResult> {
  const ticket = ports.loginGuard.begin(attempt.name, attempt.address, knownFrom(ports, attempt.name));
  if (!('at' in ticket)) return locked(ports, attempt, ticket, false);
  let checked: Awaited<ReturnType<LoginPorts['accounts']['authenticate']>>;
  try {
    checked = await ports.accounts.authenticate(attempt.name, password);
  } catch (error) {
    // Not evaluated, so not a guess: the count is taken back.
    ports.loginGuard.withdrawn(ticket);
    if (error instanceof PasswordQueueFullError) return { outcome: 'busy', message: error.message };
    throw error;
  }
  const { account, ok } = checked;
  if (!account || !ok) {
    attempt.audit('login_failed', {
      success: false,
      payload: { name_tried: ports.accounts.triedName(attempt.name), reason: account ? 'wrong password' : 'no such account', ...attempt.payload },
    });
    account?.countFailedLogin();
    const lockout = ports.loginGuard.failed(ticket);
    return lockout ? locked(ports, attempt, lockout, true) : { outcome: 'wrong' };
  }
  ports.loginGuard.succeeded(ticket);
  return { outcome: 'ok', account, failedSinceLastLogin: account.failedLoginsSinceLastLogin };
}

function locked(ports: LoginPorts, attempt: LoginAttempt, lock: Lockout, afterFailure: boolean): LoginResult {
  attempt.audit('login_locked', {
    success: false,
    payload: {
      name_tried: ports.accounts.triedName(attempt.name),
      locked_by: lock.reason,
      failures: lock.failures,
      retry_after_seconds: Math.ceil(lock.retryAfterMs / 1000),
      ...attempt.payload,
    },
  });
  const message = `Too many failed logins for this ${lock.reason}; try again in ${Math.ceil(lock.retryAfterMs / 60_000)} minute(s).`;
  return { outcome: 'locked', lock, afterFailure, message };
}
