import { ADMIN } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';

/**
 * `@reload` exists only where a portal holds the connections (server/portal/): the game process
 * adds it with the portal's request as `ask` (Evennia's `reload`; tbaMUD's copyover).
 */
export function reloadCommand(ask: (by: string, sessionId: number) => void): CharacterCommand {
  return {
    key: '@reload',
    lock: ADMIN,
    category: 'Admin',
    help: '@reload — start a fresh game process on the code now on disk; everyone stays connected, in place.',
    run({ log, account, session }) {
      log.info(`Reload requested by ${account.name}`);
      // After this command's unit of work has committed, so its audit is on disk first.
      setImmediate(() => ask(account.name, session.id));
    },
  };
}
