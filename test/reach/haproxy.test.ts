/**
 * Debian's real HAProxy in front of the game, as an operator would run it: `send-proxy-v2` to the
 * telnet port, and TCP pass-through with `send-proxy-v2` to the TLS port. The client connects to
 * HAProxy from its own loopback alias (127.0.0.2); the trail must name that address, never
 * HAProxy's (127.0.0.1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/game.ts';
import { freePort } from '../support/ports.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { requireTool } from '../support/tools.ts';
import { until } from '../support/wait.ts';
import { opensslOrSkip, startReachGame, trailOf, type ReachGame } from './support.ts';

const haproxy = requireTool('the HAProxy PROXY-protocol test', 'haproxy');
const openssl = haproxy ? opensslOrSkip() : null;

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // From an alias of its own, so these probes are told apart from the test's clients.
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.9' }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe.skipIf(!haproxy || !openssl)('behind HAProxy (send-proxy-v2)', () => {
  let run: ReachGame;
  let proxy: ChildProcess;
  let proxyOutput = '';
  const front = { telnet: 0, tls: 0 };
  const clients: TestTelnetClient[] = [];

  beforeAll(async () => {
    run = await startReachGame({ reach: { proxyFrom: ['127.0.0.1'] } });
    front.telnet = await freePort();
    front.tls = await freePort();
    const config = path.join(run.dir, 'haproxy.cfg');
    fs.writeFileSync(
      config,
      [
        'global',
        '  maxconn 100',
        'defaults',
        '  mode tcp',
        '  timeout connect 5s',
        '  timeout client 60s',
        '  timeout server 60s',
        'frontend telnet',
        `  bind 127.0.0.1:${front.telnet}`,
        '  default_backend game_telnet',
        'frontend telnet_tls',
        `  bind 127.0.0.1:${front.tls}`,
        '  default_backend game_tls',
        'backend game_telnet',
        `  server game 127.0.0.1:${run.port} send-proxy-v2`,
        'backend game_tls',
        `  server game 127.0.0.1:${run.tlsPort} send-proxy-v2`,
        '',
      ].join('\n'),
    );
    proxy = spawn(haproxy!, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stdout!.on('data', (d) => (proxyOutput += d));
    proxy.stderr!.on('data', (d) => (proxyOutput += d));
    const up = await until(async () => (await accepting(front.telnet)) && (await accepting(front.tls)), 15_000, 100);
    if (!up) throw new Error(`haproxy did not start:\n${proxyOutput}`);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    proxy?.kill('SIGTERM');
    await run?.stop();
  });

  it('the trail records the client\'s own address (127.0.0.2), not the proxy\'s', async () => {
    const client = await TestTelnetClient.connect(front.telnet, '127.0.0.1', '127.0.0.2');
    clients.push(client);
    await client.waitFor('Welcome to');
    await client.command(`create Hana ${PASSWORD}`, 'You become Hana');
    await client.command('say through haproxy', 'You say, "through haproxy"');
    const rows = await trailOf(run, ['connection_opened', 'login_ok', 'command', 'connection_closed']);
    const session = rows.find((r) => r.event_type === 'login_ok' && r.account === 'Hana')!.session_id;
    const hers = rows.filter((r) => r.session_id === session);
    expect(hers.map((r) => r.event_type)).toEqual(expect.arrayContaining(['connection_opened', 'login_ok', 'command']));
    expect(new Set(hers.map((r) => `${r.protocol} ${r.remote_addr}`))).toEqual(new Set(['telnet 127.0.0.2']));
    // HAProxy's own address (every connection to the game comes from it) is in no record.
    expect(rows.map((r) => r.remote_addr)).not.toContain('127.0.0.1');
  });

  it('the same over TLS passed through HAProxy, from 127.0.0.4', async () => {
    const client = await TestTelnetClient.connectTls(front.tls, { localAddress: '127.0.0.4' });
    clients.push(client);
    await client.waitFor('Welcome to');
    expect(client.peerFingerprint).toBe(run.certificates!.current.fingerprint);
    await client.command(`create Tomo ${PASSWORD}`, 'You become Tomo');
    const rows = (await trailOf(run, ['login_ok'])).filter((r) => r.account === 'Tomo');
    expect(rows.map((r) => `${r.protocol} ${r.remote_addr}`)).toEqual(['telnet+tls 127.0.0.4']);
  });
});
