/**
 * Issue 13, item 6: the login-failure lines must not let a player choose the address fail2ban
 * bans. A real server writes player_activity.log while an attacker tries hostile names (quotes,
 * spaces, a fake "from 6.6.6.6 via telnet"), over telnet and the audit console; Debian's
 * fail2ban-regex, with the filter we ship (docs/fail2ban/audited-mud.conf), must find only the
 * real address.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD } from '../support/game.ts';
import { requireTool } from '../support/tools.ts';
import { ADMIN, startAdminGame } from '../web_admin/support.ts';

const fail2banRegex = requireTool('the fail2ban filter test', 'fail2ban-regex');
const FILTER = path.resolve(import.meta.dirname, '../../docs/fail2ban/audited-mud.conf');

/** The addresses fail2ban-regex finds in `log` with our filter, one per matched line. */
function addressesFound(log: string): string[] {
  const out = execFileSync(fail2banRegex!, ['-o', 'ip', '--TZ', 'UTC', log, FILTER], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

describe('the shipped fail2ban filter', () => {
  const start = stopAfterEach(startAdminGame);

  it.skipIf(!fail2banRegex)('finds only the real address, whatever names an attacker tries', async () => {
    // Lock-outs after 8 failures: the hostile names all get tried, and LOCKED lines follow.
    const run = await start({ game: { loginGuard: { maxFailures: 8, windowMs: 60_000, lockMs: 60_000 } } });
    const forged = "x' from 6.6.6.6 via telnet (wrong password) name 'y";
    // Telnet takes the first word as the name: quotes and a fake address glued into one word.
    const telnet = await run.connect();
    await telnet.command("connect it's'from'6.6.6.6 wrong-password-1", 'Wrong name or password.');
    await telnet.command(`connect ${ADMIN}' wrong-password-2`, 'Wrong name or password.');
    // The console takes any name: spaces, quotes, the whole forged tail of a line.
    for (const name of [forged, 'from 6.6.6.6 via telnet', `${ADMIN} from 6.6.6.6`, "'; from 6.6.6.6"]) {
      expect((await run.consoleLogin(name, 'wrong-password-3')).status).toBe(401);
    }
    // A Player with the right password at the console is refused, but is no attacker.
    const pleb = await run.login('Pleb');
    pleb.send('quit');
    expect((await run.consoleLogin('Pleb', PASSWORD)).status).toBe(403);
    // On to the lock-out: LOCKED lines, whose name is also the attacker's.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await run.consoleLogin(`${ADMIN}`, `guess-${i}`)).status);
    expect(statuses).toContain(429);

    const lines = await run.logs.lines('player_activity.log');
    const failures = lines.filter((l) => / AUDIT LOGIN (FAILED|LOCKED): /.test(l) && !l.includes('(not an admin)'));
    // Names that are no account reach the log only as a keyed hash (item 8), so the forged tails
    // are not even there to mislead a filter; the filter is still run on every failure line.
    expect(lines.join('\n')).not.toContain('6.6.6.6');
    expect(failures.length).toBeGreaterThanOrEqual(12);

    const found = addressesFound(path.join(run.config.logDir, 'player_activity.log'));
    expect(found).toHaveLength(failures.length);
    expect(new Set(found)).toEqual(new Set(['127.0.0.1']));
  });
});
