/**
 * Address bans under `npm start`: the portal holds the sockets, the game holds the bans, so the
 * game refuses a banned address as it opens the session (telnet and webclient alike), with the
 * line a single-process server says, and the refusal is audited.
 */
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { npmRun, trackPortals, trailHas } from './helpers.ts';

const BANNED = /Your address is banned from this game until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(reason: spam bots\)\./;

describe('address bans under the portal', () => {
  const startPortal = trackPortals();

  it('refuse a banned address when it connects, before and after a reload, and let others in', { timeout: 120_000 }, async () => {
    const portal = await startPortal();
    const root = await TestTelnetClient.connect(portal.server.telnetPort);
    await root.waitFor('Welcome to');
    await root.command(`create Root ${PASSWORD}`, 'You become Root');
    await root.command(`claim ${await portal.adminToken()}`, 'You are now the Developer');
    await root.command('@ban 127.0.0.3 for 1h = spam bots', /Banned address 127\.0\.0\.3 for 1h/);

    for (let round = 0; round < 2; round++) {
      const refused = await TestTelnetClient.connect(portal.server.telnetPort, '127.0.0.1', '127.0.0.3');
      await refused.waitFor(BANNED);
      await refused.waitClosed();
      expect(refused.text).not.toContain('Welcome to');
      const other = await TestTelnetClient.connect(portal.server.telnetPort, '127.0.0.1', '127.0.0.4');
      await other.waitFor('Welcome to');
      other.close();
      if (round === 0) {
        expect((await npmRun(portal, 'reload')).code).toBe(0);
        await root.waitFor('The game is back.', 30_000);
      }
    }
    expect(await trailHas(portal, (r) => r.event_type === 'connection_banned' && r.actor.remote_addr === '127.0.0.3')).toBe(true);
    expect(portal.trail().some((r) => r.event_type === 'connection_opened' && r.actor.remote_addr === '127.0.0.3')).toBe(false);
  });
});
