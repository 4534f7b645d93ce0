import { ADMIN } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';

export const shutdown: CharacterCommand = {
  key: '@shutdown',
  lock: ADMIN,
  category: 'Admin',
  help: '@shutdown [<reason>] — stop the server cleanly: everyone is unpuppeted, logs and database flushed.',
  run({ log, shutdown, account, args }) {
    const reason = args || 'shutdown by an admin';
    log.info(`Shutdown requested by ${account.name}: ${reason}`);
    // After this command's unit of work has committed.
    setImmediate(() => void shutdown(reason));
  },
};
