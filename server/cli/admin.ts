/**
 * `npm run admin -- create <name>`: makes an account with full admin (Developer) permissions from
 * the shell, the server stopped (it refuses beside a running one: see withGame). The password is
 * read from the terminal with echo off, or from MUD_ADMIN_PASSWORD for scripts.
 *
 * `npm run admin -- token`: prints the one-time admin token (`claim <token>` in game makes that
 * account the Developer) while no account is one; works beside a running server, whose console
 * printed the same token at start. It reads (or first makes) the token in the database only:
 * no game is opened, so nothing is written to the server's logs.
 */
import path from 'node:path';
import { AccountError, AccountManager } from '../../typeclasses/account_manager.ts';
import { ObjectStore } from '../store/index.ts';
import { actorOf, auditEvent, targetOf } from '../audit/events.ts';
import { die, loadConfigOrDie, readSecret, withGame } from './shell.ts';

const USAGE = 'usage: npm run admin -- create <name> | npm run admin -- token';

const [verb, name] = process.argv.slice(2);
if (verb === 'token') {
  const config = loadConfigOrDie();
  const store = new ObjectStore(path.join(config.dataDir, 'game.sqlite3'));
  const token = new AccountManager(store).adminToken();
  store.close();
  if (!token) die('an account is a Developer already; the admin token is used up (npm run admin -- create <name>, server stopped, makes another admin).');
  process.stdout.write(`${token}\nLog in to the game and type: claim ${token}\n`);
  process.exit(0);
}
if (verb !== 'create' || !name) die(USAGE, 2);

await withGame(async (game) => {
  let password = process.env.MUD_ADMIN_PASSWORD;
  if (!password) {
    password = await readSecret('Password: ');
    if ((await readSecret('Confirm password: ')) !== password) die('the passwords did not match');
  }
  try {
    const account = await game.accounts.create(name!, password);
    account.setPermissions(['Developer']);
    game.audit.emit(auditEvent('account_created', actorOf(null), { target: targetOf(account), payload: { via: 'shell' } }));
    game.log.server.info(`Account '${account.name}' created from the shell with full admin (Developer) permissions`);
    process.stdout.write(`Created account ${account.name} with Developer permissions.\n`);
    return 0;
  } catch (error) {
    if (error instanceof AccountError) die(error.message);
    throw error;
  }
});
