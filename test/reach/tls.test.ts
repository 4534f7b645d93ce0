import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfSignedFiles } from '../../server/net/certificate.ts';
import { PASSWORD } from '../support/game.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { opensslOrSkip, trackReach, trailOf, type ReachGame } from './support.ts';

const openssl = opensslOrSkip();
const reach = trackReach();
let run: ReachGame | null = null;

async function tlsClient(game: ReachGame, options: { mccp?: boolean } = {}): Promise<TestTelnetClient> {
  const client = await TestTelnetClient.connectTls(game.tlsPort, options);
  reach.keep(client);
  await client.waitFor('Welcome to');
  return client;
}

describe.skipIf(!openssl)('the TLS telnet port', () => {
  it('is the same game: a TLS client creates an account, plays, and is audited as telnet+tls', async () => {
    run = await reach.start();
    const client = await tlsClient(run);
    expect(client.peerFingerprint).toBe(run.certificates!.current.fingerprint);
    await client.command(`create Tessa ${PASSWORD}`, 'You become Tessa');
    await client.command('say over TLS', 'You say, "over TLS"');
    const rows = await trailOf(run, ['connection_opened', 'login_ok', 'command']);
    const mine = rows.filter((r) => r.account === 'Tessa' || r.event_type === 'connection_opened');
    expect(new Set(mine.map((r) => r.protocol))).toEqual(new Set(['telnet+tls']));
    expect(rows.some((r) => r.event_type === 'command' && r.payload.includes('over TLS'))).toBe(true);
    expect(await run.logs.lines('portal.log')).toContainEqual(expect.stringMatching(/connection #\d+ opened from 127\.0\.0\.1 via telnet\+tls/));
  });

  it('compresses inside TLS when the client agrees to MCCP2', async () => {
    run = await reach.start();
    const client = await tlsClient(run, { mccp: true });
    await client.command(`create Mira ${PASSWORD}`, 'You become Mira');
    await client.command('look', /Exits:|no obvious exits/);
    // The stream after IAC SB MCCP2 IAC SE is deflate: the words never appear in the bytes on the wire.
    expect(client.compressing).toBe(true);
    expect(client.mccpError).toBeNull();
    const start = client.wire.indexOf(Buffer.from([255, 250, 86, 255, 240]));
    expect(start).toBeGreaterThan(0);
    expect(client.wire.subarray(start).includes('You become Mira')).toBe(false);
  });

  it('makes its self-signed certificate once, the key readable by the owner only', async () => {
    run = await reach.start();
    const files = selfSignedFiles(run.config.dataDir);
    expect(fs.statSync(files.key).mode & 0o777).toBe(0o600);
    const before = run.certificates!.current.fingerprint;
    await run.stop();
    run = await reach.start({ config: { dataDir: path.dirname(files.cert).replace(/\/tls$/, '') } });
    expect(run.certificates!.current.fingerprint).toBe(before);
  });

  it('lets one address hold at most 8 unfinished handshakes; others, and that address later, still get in', async () => {
    run = await reach.start();
    const port = run.tlsPort;
    const open = (localAddress: string) =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
        socket.once('error', reject);
      });
    const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
    // Eight silent sockets from one address: no ClientHello, so each waits in its handshake.
    const dawdlers = await Promise.all(Array.from({ length: 8 }, () => open('127.0.0.6')));
    reach.keep({ close: () => dawdlers.forEach((s) => s.destroy()) });
    await expect.poll(() => dawdlers.every((s) => !s.destroyed)).toBe(true);
    // The ninth is closed at once, before any handshake: while the eight still wait in theirs
    // (without the cap it would wait too, and the eight, opened first, would time out first).
    const ninth = await open('127.0.0.6');
    await closed(ninth);
    expect(dawdlers.filter((s) => s.destroyed)).toEqual([]);
    // Another address is not affected.
    const other = await TestTelnetClient.connectTls(port, { localAddress: '127.0.0.7' });
    reach.keep(other);
    await other.waitFor('Welcome to');
    // Once the eight are gone, the address gets in again.
    for (const socket of dawdlers) socket.destroy();
    await Promise.all(dawdlers.map(closed));
    await expect.poll(async () => {
      try {
        const client = await TestTelnetClient.connectTls(port, { localAddress: '127.0.0.6' });
        reach.keep(client);
        await client.waitFor('Welcome to', 2_000);
        return true;
      } catch {
        return false;
      }
    }).toBe(true);
  });

  it('names the TLS port in MSSP (TLS and SSL), for Mudlet to offer it', async () => {
    run = await reach.start();
    const client = await run.connect();
    client.sendRaw(Buffer.from([255, 253, 70])); // IAC DO MSSP
    const table = `\x01TLS\x02${run.tlsPort}\x01SSL\x02${run.tlsPort}`;
    await expect.poll(() => client.raw.includes(Buffer.from(table, 'latin1'))).toBe(true);
  });
});

describe('without a certificate', () => {
  it('has no TLS port and MSSP names none', async () => {
    run = await reach.start({ tls: false });
    expect(run.tlsPort).toBe(0);
    const client = await run.connect();
    client.sendRaw(Buffer.from([255, 253, 70]));
    await expect.poll(() => client.raw.includes(Buffer.from('\x01MCCP\x021', 'latin1'))).toBe(true);
    expect(client.raw.includes(Buffer.from('\x01TLS\x02', 'latin1'))).toBe(false);
  });
});
