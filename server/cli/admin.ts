/**
 * `npm run admin -- create <name>`: makes an account with full admin (Developer) permissions from
 * the shell. The password is read from the terminal with echo off, or from MUD_ADMIN_PASSWORD
 * for scripts. Refused while a server runs on the same data dir (see withGame): opening the game
 * beside it wrote false lines into its logs. The character is made at the first login.
 */
import { AccountError } from '../../typeclasses/account_manager.ts';
import { actorOf, auditEvent, targetOf } from '../audit/events.ts';
import { die, readSecret, withGame } from './shell.ts';

const USAGE = 'usage: npm run admin -- create <name>';

const [verb, name] = process.argv.slice(2);
if (verb !== 'create' || !name) die(USAGE, 2);

await withGame(
  async (game) => {
    let password = process.env.MUD_ADMIN_PASSWORD;
    if (!password) {
      password = await readSecret('Password: ');
      if ((await readSecret('Confirm password: ')) !== password) die('the passwords did not match');
    }
    try {
      const { account } = await game.accounts.create(name!, password);
      account.setPermissions(['Developer']);
      game.audit.emit(auditEvent('account_created', actorOf(null), { target: targetOf(account), payload: { via: 'shell' } }));
      game.log.server.info(`Account '${account.name}' created from the shell with full admin (Developer) permissions`);
      process.stdout.write(`Created account ${account.name} with Developer permissions.\n`);
      return 0;
    } catch (error) {
      if (error instanceof AccountError) die(error.message);
      throw error;
    }
  },
);
