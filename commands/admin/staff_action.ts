/** What the staff commands share: finding the player meant, rank, and the one audit event. */
import { targetOf, type AuditTarget } from '../../server/audit/events.ts';
import type { Session } from '../../server/sessions/session.ts';
import { PERMISSION_LEVELS, type Account } from '../../typeclasses/account.ts';
import type { CharacterContext } from '../command.ts';

/**
 * States a staff action as one `admin_action` event: who (the session), the target, the reason,
 * the actor's level, and what else the action says (`duration_seconds`, `from`/`to`, `message`).
 */
export function auditStaffAction(
  ctx: CharacterContext,
  action: string,
  target: AuditTarget | null,
  reason: string,
  details: Record<string, unknown> = {},
): void {
  ctx.audit('admin_action', { target, payload: { action, reason, level: ctx.account.permissionLevel, ...details } });
}

/** A name or an address as an audit target (it has no id). */
export function patternTarget(kind: 'name' | 'address' | 'report', name: string): AuditTarget {
  return { kind, id: null, name };
}

export { targetOf };

/** The account `name` means: an account name, or the name of a character (online or not). */
export function findAccount(ctx: CharacterContext, name: string): Account | null {
  const wanted = name.trim();
  if (!wanted) return null;
  const direct = ctx.accounts.byName(wanted);
  if (direct) return direct;
  const online = ctx.sessions.findOnline(wanted)?.account;
  if (online) return online;
  const lower = wanted.toLowerCase();
  for (const obj of ctx.objects.all()) {
    if (obj.record.accountId !== null && obj.key.toLowerCase() === lower) return ctx.accounts.byId(obj.record.accountId);
  }
  return null;
}

/** The account, or a reply saying there is none; and never someone of higher rank than the caller. */
export function accountToActOn(ctx: CharacterContext, name: string, verb: string): Account | null {
  const account = findAccount(ctx, name);
  if (!account) {
    ctx.reply(`No player or account is called '${name.trim()}'.`);
    return null;
  }
  if (rank(account) > rank(ctx.account)) {
    ctx.reply(`You cannot ${verb} ${account.name}: they are ${account.permissionLevel}, above your ${ctx.account.permissionLevel}.`);
    return null;
  }
  return account;
}

export function rank(account: Account): number {
  return PERMISSION_LEVELS.indexOf(account.permissionLevel);
}

/** The sessions logged in to `account`. */
export function sessionsOf(ctx: CharacterContext, account: Account): Session[] {
  return ctx.sessions.loggedIn().filter((s) => s.account?.id === account.id);
}

/** Ends a session from the staff side: told why, unpuppeted (hooks, audit), then closed. */
export function endSession(ctx: CharacterContext, session: Session, message: string, reason: string): void {
  session.msg(message);
  ctx.sessions.logout(session, reason);
  session.disconnect(undefined, reason);
}

/** `Usage: …` from the command's own first help line. */
export function usageLine(help: string): string {
  return `Usage: ${help.split('\n', 1)[0]!.split(' — ')[0]}`;
}
