import { afterEach, describe, expect, it } from 'vitest';
import type { LimitSettings } from '../../server/config_limits.ts';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';

/**
 * Every client here comes from its own loopback address (127.0.0.2, …): the server sees them
 * as different addresses, as it would see different hosts.
 */
describe('per-address limits on the telnet port', () => {
  let run: RunningGame;
  const clients: TestTelnetClient[] = [];
  afterEach(async () => {
    await run?.stop();
    for (const c of clients.splice(0)) c.close();
  });

  const start = async (limits: Partial<LimitSettings>) => (run = await startGame({ config: { limits: { rateExempt: [], ...limits } } }));
  const open = async (from: string) => {
    const client = await TestTelnetClient.connect(run.port, '127.0.0.1', from);
    clients.push(client);
    return client;
  };
  const welcomed = async (from: string) => {
    const client = await open(from);
    await client.waitFor('Welcome to');
    return client;
  };
  /** Refused: exactly one line, then the server closes; no banner, no session. */
  const refused = async (from: string, line: string) => {
    const client = await open(from);
    await client.waitClosed();
    expect(client.text).toBe(`${line}\n`);
  };
  const rateLimitedLines = async () => (await run.logs.lines('portal.log')).filter((l) => l.includes('AUDIT RATE LIMITED'));

  it('refuses a connection past the login-screen limit with one line, and audits the flood of refusals once', async () => {
    await start({ loginScreen: 2 });
    const first = await welcomed('127.0.0.2');
    await welcomed('127.0.0.2');
    const line = 'Too many connections from your address are at the login screen (2); log in or close one, then try again.';
    for (let i = 0; i < 5; i++) await refused('127.0.0.2', line);
    // Another address is not affected, and logging in frees a place at the login screen.
    await welcomed('127.0.0.3');
    await first.command(`create Patient ${PASSWORD}`, 'You become Patient');
    await welcomed('127.0.0.2');
    expect(run.game.sessions.count).toBe(4);
    await expect.poll(rateLimitedLines, { timeout: 10_000 }).toEqual([
      expect.stringMatching(/AUDIT RATE LIMITED: new connections from 127\.0\.0\.2 via telnet: 5 connections refused in [\d.]+s over 2 connections at the login screen per address$/),
    ]);
  });

  it('refuses past the open-connections limit, logged in or not', async () => {
    await start({ connections: 3 });
    for (const name of ['Ann', 'Bob', 'Cyd']) {
      const c = await welcomed('127.0.0.2');
      await c.command(`create ${name} ${PASSWORD}`, `You become ${name}`);
    }
    await refused('127.0.0.2', 'Too many connections from your address (3 open at once); close one and try again.');
    clients[0]!.close();
    await expect.poll(() => run.game.sessions.count).toBe(2);
    await welcomed('127.0.0.2');
  });

  it('refuses past the new-connections-a-minute limit, however briefly each stayed', async () => {
    await start({ connectsPerMinute: 3 });
    for (let i = 0; i < 3; i++) (await welcomed('127.0.0.2')).close();
    await refused('127.0.0.2', 'Too many new connections from your address (more than 3 a minute); wait a minute and try again.');
    await welcomed('127.0.0.3');
  });

  it('refuses an account creation past the hourly limit with one line and a close', async () => {
    await start({ accountsPerHour: 1 });
    const one = await welcomed('127.0.0.2');
    await one.command(`create First ${PASSWORD}`, 'You become First');
    const two = await welcomed('127.0.0.2');
    await two.command(`create Second ${PASSWORD}`, 'Too many accounts were created from your address (more than 1 an hour); try again later.');
    await two.waitClosed();
    expect(run.game.accounts.byName('Second')).toBeFalsy();
    const elsewhere = await welcomed('127.0.0.3');
    await elsewhere.command(`create Third ${PASSWORD}`, 'You become Third');
  });

  it('does not limit an exempt address, neither its connections nor its command rate', async () => {
    await start({ rateExempt: ['127.0.0.4/32', '2001:db8::/32'], loginScreen: 1, connectsPerMinute: 2, commandRate: 1, commandBurst: 2 });
    const mine: TestTelnetClient[] = [];
    for (let i = 0; i < 5; i++) mine.push(await welcomed('127.0.0.4'));
    mine[0]!.sendRaw('look\r\n'.repeat(50));
    await expect.poll(() => mine[0]!.text.split('Welcome to').length - 1).toBe(51);
    expect(mine[0]!.text).not.toContain('sending too fast');
    // The limits still hold for everyone else.
    await welcomed('127.0.0.5');
    await refused('127.0.0.5', 'Too many connections from your address are at the login screen (1); log in or close one, then try again.');
  });
});
