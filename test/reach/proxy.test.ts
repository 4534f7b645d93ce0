import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { until } from '../support/wait.ts';
import { proxyV1, proxyV2 } from './proxy_header.ts';
import { opensslOrSkip, trackReach, trailOf, type ReachGame } from './support.ts';

const reach = trackReach();
let run: ReachGame | null = null;

/** A connection from `from` (a loopback alias) that starts with `header`, then speaks telnet. */
async function viaGateway(port: number, header: string | Buffer, from = '127.0.0.1'): Promise<TestTelnetClient> {
  const client = await TestTelnetClient.connect(port, '127.0.0.1', from, { width: null });
  reach.keep(client);
  client.sendRaw(header);
  return client;
}

async function closedWith(client: TestTelnetClient): Promise<string> {
  expect(await until(() => client.closed)).toBe(true);
  return client.text;
}

/** 127.0.0.1 is the gateway; everyone else (127.0.0.3) is a client of its own. */
const GATEWAY = { reach: { proxyFrom: ['127.0.0.1'] } };

describe('PROXY protocol from a MUD_PROXY_FROM gateway', () => {
  it('v1: the session, the trail and the logs have the address the gateway reports', async () => {
    run = await reach.start({ ...GATEWAY, tls: false });
    const client = await viaGateway(run.port, proxyV1('203.0.113.7'));
    await client.waitFor('Welcome to');
    await client.command(`create Ada ${PASSWORD}`, 'You become Ada');
    const rows = await trailOf(run, ['connection_opened', 'login_ok', 'account_created']);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((r) => r.remote_addr))).toEqual(new Set(['203.0.113.7']));
    expect(await run.logs.everything()).not.toMatch(/Ada.*127\.0\.0\.1/);
  });

  it('v2, IPv4 and IPv6 (with TLVs after the addresses), the same', async () => {
    run = await reach.start({ ...GATEWAY, tls: false });
    const tlv = Buffer.from([0x05, 0x00, 0x03, 0x61, 0x62, 0x63]); // PP2_TYPE_UNIQUE_ID "abc"
    const four = await viaGateway(run.port, proxyV2('198.51.100.4', undefined, tlv));
    const six = await viaGateway(run.port, proxyV2('2001:db8::7'));
    await four.waitFor('Welcome to');
    await six.waitFor('Welcome to');
    await four.command(`create Vier ${PASSWORD}`, 'You become Vier');
    await six.command(`create Sechs ${PASSWORD}`, 'You become Sechs');
    const rows = await trailOf(run, ['login_ok']);
    expect(rows.map((r) => `${r.account} ${r.remote_addr}`).sort()).toEqual(['Sechs 2001:db8::7', 'Vier 198.51.100.4']);
  });

  it('counts the per-address limits against the reported address, not the gateway', async () => {
    run = await reach.start({ ...GATEWAY, tls: false, config: { limits: { rateExempt: [], connections: 2 } } });
    const first = await viaGateway(run.port, proxyV1('203.0.113.7'));
    const second = await viaGateway(run.port, proxyV1('203.0.113.7'));
    await first.waitFor('Welcome to');
    await second.waitFor('Welcome to');
    const third = await viaGateway(run.port, proxyV1('203.0.113.7'));
    expect(await closedWith(third)).toMatch(/Too many connections from your address \(2 open at once\)/);
    // Another player behind the same gateway is not that player.
    const other = await viaGateway(run.port, proxyV1('203.0.113.8'));
    await other.waitFor('Welcome to');
  });

  it('bans, lock-outs and the dual-address notice go by the reported address', async () => {
    run = await reach.start({ ...GATEWAY, tls: false });
    const admin = await viaGateway(run.port, proxyV1('198.51.100.1'));
    await admin.waitFor('Welcome to');
    await admin.command(`create Boss ${PASSWORD}`, 'You become Boss');
    await admin.command(`claim ${run.adminToken()}`, 'You are now the Developer');
    // Two accounts from one reported address: flagged with that address.
    const a = await viaGateway(run.port, proxyV1('203.0.113.50'));
    const b = await viaGateway(run.port, proxyV1('203.0.113.50'));
    await a.waitFor('Welcome to');
    await a.command(`create Anna ${PASSWORD}`, 'You become Anna');
    await b.waitFor('Welcome to');
    await b.command(`create Bert ${PASSWORD}`, 'You become Bert');
    const dual = await trailOf(run, ['dual_address']);
    expect(dual.map((r) => r.remote_addr)).toEqual(['203.0.113.50']);
    // Five failed logins lock the reported address, not the gateway's other players.
    for (let i = 0; i < 5; i++) {
      const guesser = await viaGateway(run.port, proxyV1('203.0.113.66'));
      await guesser.waitFor('Welcome to');
      await guesser.command(`connect Anna wrong-${i}`, /Wrong name or password|Too many/);
    }
    const locked = await viaGateway(run.port, proxyV1('203.0.113.66'));
    await locked.waitFor('Welcome to');
    await locked.command(`connect Anna ${PASSWORD}`, 'Too many failed logins for this address');
    // The name is locked too, except from where its owner played: the reported address again.
    const stranger = await viaGateway(run.port, proxyV1('203.0.113.67'));
    await stranger.waitFor('Welcome to');
    await stranger.command(`connect Anna ${PASSWORD}`, 'Too many failed logins for this name');
    const home = await viaGateway(run.port, proxyV1('203.0.113.50'));
    await home.waitFor('Welcome to');
    await home.command(`connect Anna ${PASSWORD}`, 'You become Anna');
    // A ban of the reported address refuses it at the door, and the gateway's others still come in.
    await admin.command('@ban 203.0.113.99 = testing', /[Bb]anned/);
    const banned = await viaGateway(run.port, proxyV1('203.0.113.99'));
    expect(await closedWith(banned)).toMatch(/banned/i);
    const fine = await viaGateway(run.port, proxyV1('203.0.113.98'));
    await fine.waitFor('Welcome to');
  });

  it('a malformed header, or none, from the gateway closes the connection with a log line', async () => {
    run = await reach.start({ ...GATEWAY, tls: false });
    const bad = await viaGateway(run.port, 'PROXY TCP4 999.0.0.1 127.0.0.1 1 2\r\n');
    expect(await closedWith(bad)).not.toContain('Welcome to');
    const none = await viaGateway(run.port, 'look\r\n');
    expect(await closedWith(none)).not.toContain('Welcome to');
    const truncatedV2 = proxyV2('198.51.100.4');
    truncatedV2.writeUInt16BE(9000, 14); // claims more than the 2048 bytes a header may have
    const huge = await viaGateway(run.port, truncatedV2);
    expect(await closedWith(huge)).not.toContain('Welcome to');
    await expect.poll(async () => (await run!.logs.lines('portal.log')).filter((l) => l.includes('PROXY header refused from 127.0.0.1 on the telnet port')).length).toBe(3);
    const lines = (await run.logs.lines('portal.log')).filter((l) => l.includes('PROXY header refused'));
    expect(lines[0]).toMatch(/WARN \| PROXY header refused from 127\.0\.0\.1 on the telnet port: a PROXY v1 header with a bad address or port; connection closed$/);
    expect(lines[1]).toContain('did not start with a PROXY header');
    expect(lines[2]).toContain('a PROXY v2 header of 9000 bytes');
    expect(await trailOf(run, ['connection_opened'])).toEqual([]);
  });
});

describe('PROXY protocol from anyone else', () => {
  it('v1 or v2 from an address not in MUD_PROXY_FROM closes the connection with a log line', async () => {
    run = await reach.start({ ...GATEWAY, tls: false });
    const v1 = await viaGateway(run.port, proxyV1('203.0.113.7'), '127.0.0.3');
    await closedWith(v1);
    const v2 = await viaGateway(run.port, proxyV2('203.0.113.7'), '127.0.0.3');
    await closedWith(v2);
    await expect.poll(async () => (await run!.logs.lines('portal.log')).filter((l) => /PROXY header refused from 127\.0\.0\.3 on the telnet port: a PROXY header from an address not in MUD_PROXY_FROM/.test(l)).length).toBe(2);
    // Nobody was let in under the address in the header.
    const rows = await trailOf(run, ['connection_opened', 'connection_closed']);
    expect(rows.map((r) => r.remote_addr)).not.toContain('203.0.113.7');
    // An ordinary player from there plays as usual.
    const player = await run.connect('127.0.0.3');
    await player.command(`create Plain ${PASSWORD}`, 'You become Plain');
  });

  it('with no MUD_PROXY_FROM at all, a header is refused from loopback too', async () => {
    run = await reach.start({ tls: false });
    const client = await viaGateway(run.port, proxyV1('203.0.113.7'));
    await closedWith(client);
    await expect.poll(async () => (await run!.logs.lines('portal.log')).some((l) => l.includes('PROXY header refused from 127.0.0.1'))).toBe(true);
  });
});

describe.skipIf(!opensslOrSkip())('PROXY protocol on the TLS port', () => {
  it('reads the header before the handshake, from the gateway; refuses it from others', async () => {
    run = await reach.start(GATEWAY);
    const raw = net.connect({ port: run.tlsPort, host: '127.0.0.1' });
    await new Promise((resolve) => raw.once('connect', resolve));
    raw.write(proxyV2('192.0.2.44'));
    const client = await TestTelnetClient.connectTls(run.tlsPort, { socket: raw });
    reach.keep(client);
    await client.waitFor('Welcome to');
    await client.command(`create Tilly ${PASSWORD}`, 'You become Tilly');
    const rows = await trailOf(run, ['login_ok']);
    expect(rows.map((r) => `${r.protocol} ${r.remote_addr}`)).toEqual(['telnet+tls 192.0.2.44']);

    const stranger = net.connect({ port: run.tlsPort, host: '127.0.0.1', localAddress: '127.0.0.3' });
    stranger.on('error', () => {});
    await new Promise((resolve) => stranger.once('connect', resolve));
    stranger.write(proxyV1('192.0.2.45'));
    await new Promise((resolve) => stranger.once('close', resolve));
    await expect.poll(async () => (await run!.logs.lines('portal.log')).some((l) => l.includes('PROXY header refused from 127.0.0.3 on the telnet+tls port'))).toBe(true);
  });
});
