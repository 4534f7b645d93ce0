/**
 * Under `npm start` the telnet layer runs in the portal, which has no audit trail: its protocol
 * errors cross the link, already limited, and the game audits them. And /ws works there too,
 * served by the portal with the rest of the web port, so its clients stay across a reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { TestWsClient } from '../support/ws_client.ts';
import { npmRun, trackPortals, trailHas } from './helpers.ts';

const IAC = 255, SB = 250, NOP = 241, DO = 253, MSSP = 70;

describe('protocol errors and /ws under the portal', () => {
  const startPortal = trackPortals();

  it('audits the portal telnet layer\'s protocol errors through the game, one per kind a minute, the rest counted', { timeout: 120_000 }, async () => {
    const portal = await startPortal();
    const client = await TestTelnetClient.connect(portal.server.telnetPort);
    await client.waitFor('Welcome to');
    // 1,000 subnegotiations cut short by another command, in one write, then a command that works.
    const cut = Buffer.from([IAC, SB, 24, 0x41, 0x42, IAC, NOP]);
    client.sendRaw(Buffer.concat([...Array.from({ length: 1000 }, () => cut), Buffer.from('look\r\n')]));
    // At the login screen, `look` shows the welcome again.
    await client.waitFor('Welcome to');
    client.send('quit');
    await client.waitClosed();
    const ofKind = () => portal.trail().filter((r) => r.event_type === 'protocol_error' && r.payload.kind === 'subneg_truncated');
    expect(await trailHas(portal, (r) => r.event_type === 'protocol_error' && r.payload.closing === true)).toBe(true);
    const events = ofKind();
    expect(events.map((e) => e.payload)).toEqual([
      { kind: 'subneg_truncated', excerpt: 'IAC SB 24 cut short', suppressed: 0 },
      { kind: 'subneg_truncated', suppressed: 999, closing: true },
    ]);
    // Reported before the connection's end, for the portal's connection id.
    const trail = portal.trail();
    const closedAt = trail.findIndex((r) => r.event_type === 'connection_closed' && r.actor.session_id === events[0]!.actor.session_id);
    expect(closedAt).toBeGreaterThan(trail.indexOf(trail.find((r) => r.payload.closing === true)!));
  });

  it('never keeps a password typed ahead of its question, though the portal meets it before it knows echo is off', { timeout: 120_000 }, async () => {
    const portal = await startPortal();
    const bob = await TestTelnetClient.connect(portal.server.telnetPort);
    await bob.waitFor('Welcome to');
    await bob.command(`create Bob ${PASSWORD}`, 'You become Bob');
    const client = await TestTelnetClient.connect(portal.server.telnetPort);
    await client.waitFor('Welcome to');
    // The name, then the password before the game has asked for it, in one packet, with a
    // byte that is not UTF-8: the portal's telnet layer reports the second line at once.
    client.sendRaw(Buffer.concat([Buffer.from('connect Bob\r\nhunter4'), Buffer.from([0xe9]), Buffer.from('secret\r\n')]));
    await client.waitFor('Wrong name or password');
    expect(await trailHas(portal, (r) => r.event_type === 'protocol_error' && r.payload.kind === 'invalid_utf8')).toBe(true);
    const event = portal.trail().find((r) => r.event_type === 'protocol_error' && r.payload.kind === 'invalid_utf8')!;
    // Its size at most (or nothing, had the portal known echo was off by then).
    expect(event.payload.excerpt ?? '(withheld)').toMatch(/^\((\d+ bytes|withheld)\)$/);
    for (const file of ['portal.log', 'server.log', 'player_activity.log']) expect(portal.log(file).join('\n'), file).not.toContain('hunter4');
    expect(JSON.stringify(portal.trail())).not.toContain('hunter4');
  });

  it('keeps what happens while no game is attached, protocol errors and connections that went, for the next game to audit', { timeout: 120_000 }, async () => {
    const broken = path.join(process.env.TMPDIR ?? '/tmp', `mud-broken-pe-${process.pid}-${Date.now()}`);
    // 127.0.0.4 is a PROXY gateway: its bad header is a protocol error before any session.
    const portal = await startPortal({ env: { MUD_TEST_BROKEN_GAME_FILE: broken, MUD_PROXY_FROM: '127.0.0.4' } });
    const client = await TestTelnetClient.connect(portal.server.telnetPort);
    await client.waitFor('Welcome to');
    // One that the game knew, and that leaves during the outage (from 127.0.0.2, to tell it apart).
    const leaver = await TestTelnetClient.connect(portal.server.telnetPort, '127.0.0.1', '127.0.0.2');
    await leaver.waitFor('Welcome to');
    try {
      // A game that cannot load any more, and dies: no game is attached until the fix.
      fs.writeFileSync(broken, 'SyntaxError: simulated');
      process.kill((await portal.status()).game.pid!, 'SIGKILL');
      await client.waitFor('The game could not be started', 30_000);
      // A cut-short subnegotiation, then IAC DO MSSP: the portal's telnet layer answers MSSP
      // itself, so its answer shows the bytes before it were taken while no game was there.
      client.sendRaw(Buffer.from([IAC, SB, 24, 0x41, IAC, NOP, IAC, DO, MSSP]));
      await expect.poll(() => client.raw.includes(Buffer.from([IAC, SB, MSSP])), { timeout: 10_000 }).toBe(true);
      // The leaver meets a protocol error of its own, then goes; one more comes and goes
      // (from 127.0.0.3) without any game ever having seen it.
      leaver.sendRaw(Buffer.from([IAC, SB, 24, 0x42, IAC, NOP, IAC, DO, MSSP]));
      await expect.poll(() => leaver.raw.includes(Buffer.from([IAC, SB, MSSP]))).toBe(true);
      leaver.close();
      const passer = await TestTelnetClient.connect(portal.server.telnetPort, '127.0.0.1', '127.0.0.3');
      // No game greets it, so the portal tells it the news; it is in the portal's table, then not.
      await passer.waitFor('The game could not be started; you stay connected while an operator fixes it.');
      const connections = async () => (await portal.status()).connections.length;
      await expect.poll(connections).toBe(2);
      passer.close();
      await expect.poll(connections).toBe(1);
      const gateway = await TestTelnetClient.connect(portal.server.telnetPort, '127.0.0.1', '127.0.0.4', { width: null });
      gateway.sendRaw('PROXY TCP4 999.0.0.1 127.0.0.1 1 2\r\n');
      await gateway.waitClosed();
    } finally {
      fs.rmSync(broken, { force: true });
    }
    expect((await npmRun(portal, 'reload')).code).toBe(0);
    await client.waitFor('The game is back.', 30_000);
    expect(await trailHas(portal, (r) => r.event_type === 'protocol_error' && r.payload.kind === 'subneg_truncated' && r.payload.excerpt === 'IAC SB 24 cut short')).toBe(true);
    // The leaver's error is audited before its end; the passer's coming and going both are.
    const from = (address: string) => () => portal.trail().filter((r) => r.actor.remote_addr === address && r.event_type !== 'connection_opened').map((r) => [r.event_type, r.payload.excerpt ?? r.payload.reason]);
    await expect.poll(from('127.0.0.2')).toEqual([
      ['protocol_error', 'IAC SB 24 cut short'],
      ['connection_closed', expect.any(String)],
    ]);
    await expect.poll(() => portal.trail().filter((r) => r.actor.remote_addr === '127.0.0.3').map((r) => r.event_type)).toEqual(['connection_opened', 'connection_closed']);
    await expect.poll(() => portal.trail().filter((r) => r.actor.remote_addr === '127.0.0.4').map((r) => [r.event_type, r.payload.kind])).toEqual([['protocol_error', 'bad_proxy_header']]);
    client.close();
  });

  it('serves /ws on the web port from the portal, sessions audited with protocol ws, kept across a reload', { timeout: 120_000 }, async () => {
    const portal = await startPortal({ env: { MUD_WEB: 'on' } });
    const client = await TestWsClient.connect(`${portal.webUrl().replace(/^http/, 'ws')}/ws`, 'terminal.mudstandards.org');
    try {
      await client.waitFor('Welcome to');
      await client.command(`create Wendy ${PASSWORD}`, 'You become Wendy');
      await client.command('north', 'Courtyard');
      expect(await trailHas(portal, (r) => r.event_type === 'login_ok' && r.actor.account === 'Wendy' && (r.actor as { protocol?: string }).protocol === 'ws')).toBe(true);
      // The portal holds the WebSocket, as it holds telnet's: the client stays, in the same room.
      const reload = npmRun(portal, 'reload');
      await client.waitFor('The game is reloading');
      await client.waitFor('The game is back.', 30_000);
      expect((await reload).code).toBe(0);
      await client.command('look', 'Courtyard');
      expect(client.closed).toBe(false);
      expect(await trailHas(portal, (r) => r.event_type === 'reload')).toBe(true);
      expect(portal.trail().filter((r) => r.event_type === 'connection_closed' || r.event_type === 'unpuppet')).toEqual([]);
    } finally {
      client.close();
    }
  });
});
