/**
 * Issue 13, item 7: one client is one address whichever front end it uses, IPv6 counts by /64,
 * and a name's lock-out keeps out the guessing addresses, not the owner's.
 */
import { describe, expect, it } from 'vitest';
import { addressKey, normaliseAddress } from '../../server/net/address.ts';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD } from '../support/game.ts';
import { ADMIN, startAdminGame } from '../web_admin/support.ts';

describe('login addresses', () => {
  const start = stopAfterEach(startAdminGame);

  it('with MUD_HOST=:: telnet, console and audit agree on the address, and share one counter; ::1 is another', async () => {
    const run = await start({ config: { host: '::' } });
    for (let i = 0; i < 3; i++) {
      const telnet = await run.connect();
      await telnet.command(`connect ${ADMIN} telnet-guess-${i}`, 'Wrong name or password.');
    }
    expect((await run.consoleLogin(ADMIN, 'console-guess-1')).status).toBe(401);
    const fifth = await run.consoleLogin(ADMIN, 'console-guess-2');
    expect(fifth.status).toBe(429);
    expect(fifth.body.error).toMatch(/Too many failed logins for this address/);
    // The same client over telnet is locked out too, whatever name it tries.
    const again = await run.connect();
    await again.command('connect Anyone some-password', 'Too many failed logins for this address');
    // Over IPv6 loopback it is another address, with a counter of its own.
    const v6 = await run.connect('::1');
    await v6.command('connect Anyone some-password', 'Wrong name or password.');

    await run.game.auditTrail.flush();
    const failed = await run.game.auditReader.search({ types: ['login_failed'], limit: 10 });
    expect(failed.map((r) => `${r.protocol} ${r.remote_addr}`).sort()).toEqual(
      ['telnet 127.0.0.1', 'telnet 127.0.0.1', 'telnet 127.0.0.1', 'telnet ::1', 'web-admin 127.0.0.1', 'web-admin 127.0.0.1'].sort(),
    );
    expect(await run.logs.everything()).not.toContain('::ffff:');
  });

  it('a name under attack from rotating addresses still lets its owner in from their own address, over the console too', async () => {
    const run = await start();
    // The owner logs in once from 127.0.0.1 (remembered in the database as the last address).
    expect((await run.consoleLogin(ADMIN)).status).toBe(200);
    for (const [i, from] of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'].entries()) {
      const guesser = await run.connect(from);
      await guesser.command(`connect ${ADMIN} rotating-guess-${i}`, /Wrong name or password\./);
    }
    const newcomer = await run.connect('127.0.0.7');
    await newcomer.command(`connect ${ADMIN} ${PASSWORD}`, 'Too many failed logins for this name');
    // The owner, from where they logged in before: console and telnet.
    expect((await run.consoleLogin(ADMIN)).status).toBe(200);
    const owner = await run.connect();
    await owner.command(`connect ${ADMIN} ${PASSWORD}`, `You become ${ADMIN}`);
    await owner.waitFor('there were 5 failed login attempt(s) on your account since your last login');
  });

  it('spells addresses one way and counts IPv6 by /64', () => {
    expect(normaliseAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(normaliseAddress('::FFFF:c000:207')).toBe('192.0.2.7');
    expect(normaliseAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normaliseAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(normaliseAddress(undefined)).toBe('unknown');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:db8:1:2:ffff::9'));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::1')).toBe('::/64');
  });
});
