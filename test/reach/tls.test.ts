import fs from 'node:fs';
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
