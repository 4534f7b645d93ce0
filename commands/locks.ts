import { isPermission, PERMISSION_LEVELS, type Account, type Permission } from '../typeclasses/account.ts';

/** A compiled lock: who may use a command. Only the two lock functions the game uses exist. */
export interface Lock {
  allows(account: Account | null): boolean;
  /** Why not, for the person refused. */
  needs: string;
}

const EVERYONE: Lock = { allows: () => true, needs: '' };

export class LockSyntaxError extends Error {
  override name = 'LockSyntaxError';
}

/** Parses `cmd:all()` or `cmd:perm(Builder)`; anything else is a programming error, found at start-up. */
export function parseLock(lock: string | undefined): Lock {
  if (!lock || lock === 'cmd:all()') return EVERYONE;
  const perm = /^cmd:perm\((\w+)\)$/.exec(lock)?.[1];
  if (!perm || !isPermission(perm)) {
    throw new LockSyntaxError(`Bad lock '${lock}': use cmd:all() or cmd:perm(<${PERMISSION_LEVELS.join('|')}>)`);
  }
  const level: Permission = perm;
  return { allows: (account) => account?.hasPermission(level) ?? false, needs: level };
}
