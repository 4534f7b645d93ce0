/**
 * After a break-in: a changed password throws out whoever still holds the old one (the game's
 * sessions and the console's cookies and live sockets), an Admin cannot take over an account
 * above their level by resetting its password, and the owner of a reset account is told.
 */
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD } from '../support/game.ts';
import { ADMIN, startAdminGame } from './support.ts';

const NEW_PASSWORD = 'after-the-break-in-7';

describe('changing a password after a break-in', () => {
  const start = stopAfterEach(startAdminGame);

  it('@password ends the account\'s game session and console cookies at once, and the owner is told at next login', async () => {
    const run = await start({ admin: { sweepMs: 60_000 } });
    const warden = await run.login(ADMIN, 'connect');
    const pat = await run.login('Pat');
    run.game.accounts.byName('Pat')!.setPermissions(['Admin']);
    const cookie = (await run.consoleLogin('Pat')).cookie!;
    const tail = await run.tail(cookie);
    expect((await run.get('/admin/api/me', cookie)).status).toBe(200);

    await warden.command(`@password Pat = ${NEW_PASSWORD}`, 'Password of Pat changed.');
    await pat.waitFor('Your password was reset by an admin. Goodbye.');
    await pat.waitClosed();
    expect((await run.get('/admin/api/me', cookie)).status).toBe(401);
    // Closed by the password change itself, not by the (one minute) sweep.
    await expect.poll(() => tail.disconnected, ).not.toBeNull();

    const back = await run.connect();
    await back.command(`connect Pat ${PASSWORD}`, 'Wrong name or password.');
    await back.command(`connect Pat ${NEW_PASSWORD}`, 'You become Pat');
    expect(back.text).toMatch(/Note: your password was reset by the admin Warden at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
    await back.command('quit', 'Goodbye');
    const later = await run.connect();
    await later.command(`connect Pat ${NEW_PASSWORD}`, 'You become Pat');
    await later.command('look', 'Limbo');
    expect(later.text).not.toContain('was reset by');
    expect(await run.logs.lines('player_activity.log')).toContainEqual(
      expect.stringMatching(/AUDIT ACCOUNT: password of Pat\(account:\d+\) changed by Warden; 1 other session\(s\) ended$/),
    );
  });

  it('password by the owner keeps the session that changed it and ends the console cookies made with the old one', async () => {
    const run = await start();
    const pat = await run.login('Pat');
    run.game.accounts.byName('Pat')!.setPermissions(['Admin']);
    const cookie = (await run.consoleLogin('Pat')).cookie!;
    await pat.command(`password ${PASSWORD} ${NEW_PASSWORD}`, 'Password changed.');
    expect((await run.get('/admin/api/me', cookie)).status).toBe(401);
    await pat.command('look', 'Limbo');
    const fresh = (await run.consoleLogin('Pat', NEW_PASSWORD)).cookie!;
    expect((await run.get('/admin/api/me', fresh)).status).toBe(200);
    // The owner changed it: nothing to tell them at the next login.
    const back = await run.connect();
    await back.command(`connect Pat ${PASSWORD}`, 'Wrong name or password.');
    await back.command(`connect Pat ${NEW_PASSWORD}`, 'You become Pat');
    await back.command('look', 'Limbo');
    expect(back.text).not.toContain('was reset by');
  });

  it('refuses an Admin resetting the password of a Developer, and audits the attempt', async () => {
    const run = await start();
    const deputy = await run.login('Deputy');
    run.game.accounts.byName('Deputy')!.setPermissions(['Admin']);
    await run.login('Helper');
    await deputy.command(`@password ${ADMIN} = ${NEW_PASSWORD}`, `${ADMIN} is a Developer, above your level (Admin); you cannot reset that password.`);
    expect((await run.consoleLogin(ADMIN)).status).toBe(200); // the old password still works
    // An equal or lower level may be reset.
    await deputy.command(`@password Helper = ${NEW_PASSWORD}`, 'Password of Helper changed.');
    expect(await run.logs.lines('player_activity.log')).toContainEqual(
      expect.stringMatching(/\| WARN \| AUDIT ACCOUNT: password of Warden\(account:\d+\) not changed by Deputy \(Developer is above Admin\)$/),
    );
    expect(await run.logs.everything()).not.toContain(NEW_PASSWORD);
  });
});
