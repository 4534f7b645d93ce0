/**
 * The certificate in a running server (a process of its own, as `npm run start:single` and
 * `npm start` run): printed at start, served on the TLS telnet port and as HTTPS on the web port
 * (the console's cookie Secure then), and re-read on SIGHUP without dropping anyone.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSelfSigned, readCertificate } from '../../server/net/certificate.ts';
import { PASSWORD } from '../support/game.ts';
import { serverEnv, spawnServer, type ServerProcess } from '../support/server_process.ts';
import { TestTelnetClient } from '../support/telnet_client.ts';
import { tempDir } from '../support/temp_dir.ts';
import { until } from '../support/wait.ts';
import { TestWebClient } from '../web/support.ts';
import { opensslOrSkip } from './support.ts';

const openssl = opensslOrSkip();
const servers: ServerProcess[] = [];
const clients: Array<{ close(): void }> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
});

function portOf(server: ServerProcess, pattern: RegExp): number {
  const found = pattern.exec(server.stdout());
  if (!found) throw new Error(`no ${pattern} in:\n${server.stdout()}`);
  return Number(found[1]);
}

const tlsPortOf = (server: ServerProcess) => portOf(server, /Telnet over TLS listening on [\d.]+:(\d+)/);
const webPortOf = (server: ServerProcess) => portOf(server, /Web client on https:\/\/[\w.]+:(\d+)\//);

async function tlsClient(port: number): Promise<TestTelnetClient> {
  const client = await TestTelnetClient.connectTls(port);
  clients.push(client);
  await client.waitFor('Welcome to');
  return client;
}

/** The fingerprint of the certificate the web port shows, and the console login's Set-Cookie. */
function httpsFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

function consoleLogin(port: number, name: string): Promise<{ status: number; setCookie: string }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ name, password: PASSWORD });
    const request = https.request(
      { host: '127.0.0.1', port, path: '/admin/api/login', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'x-mud-admin': '1', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, setCookie: String(response.headers['set-cookie'] ?? '') }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function logLine(dir: string, file: string, pattern: RegExp): Promise<boolean> {
  return until(() => {
    const full = path.join(dir, 'logs', file);
    return fs.existsSync(full) && pattern.test(fs.readFileSync(full, 'utf8'));
  }, 15_000, 50);
}

describe.skipIf(!openssl)('the certificate of a running server', () => {
  it('single process: printed at start, HTTPS with a Secure console cookie, and re-read on SIGHUP without dropping a TLS player', async () => {
    const dir = tempDir('mud-tls-');
    const files = ensureSelfSigned(path.join(dir, 'first'), 'first');
    const first = readCertificate(files).fingerprint;
    const server = await spawnServer(serverEnv(dir, { MUD_TLS_CERT: files.cert, MUD_TLS_KEY: files.key, MUD_TLS_PORT: '0', MUD_WEB_TLS: 'on' }));
    servers.push(server);
    expect(server.stdout()).toContain(`TLS certificate SHA-256 fingerprint: ${first}`);
    const tlsPort = tlsPortOf(server);
    const webPort = webPortOf(server);

    const player = await tlsClient(tlsPort);
    expect(player.peerFingerprint).toBe(first);
    await player.command(`create Rhea ${PASSWORD}`, 'You become Rhea');
    await player.command(`claim ${server.adminToken()}`, 'You are now the Developer');

    // The web port is https: the webclient's socket.io and the console, whose cookie is Secure.
    expect(await httpsFingerprint(webPort)).toBe(first);
    const browser = await TestWebClient.connect(`https://127.0.0.1:${webPort}`, { rejectUnauthorized: false });
    clients.push(browser);
    await browser.waitFor('Welcome to');
    await browser.command(`create Webb ${PASSWORD}`, 'You become Webb');
    const login = await consoleLogin(webPort, 'Rhea');
    expect(login.status).toBe(200);
    expect(login.setCookie).toMatch(/; Secure/);

    // A renewal: new files in place, then SIGHUP.
    const renewed = ensureSelfSigned(path.join(dir, 'second'), 'second');
    const second = readCertificate(renewed).fingerprint;
    expect(second).not.toBe(first);
    fs.copyFileSync(renewed.cert, files.cert);
    fs.copyFileSync(renewed.key, files.key);
    server.child.kill('SIGHUP');
    expect(await logLine(dir, 'server.log', new RegExp(`SIGHUP: TLS certificate re-read, SHA-256 fingerprint ${second}`))).toBe(true);

    // Nobody connected was dropped; new connections see the new certificate, on both ports.
    await player.command('say still here', 'You say, "still here"');
    await browser.command('say still on the web', 'You say, "still on the web"');
    const next = await tlsClient(tlsPort);
    expect(next.peerFingerprint).toBe(second);
    expect(await httpsFingerprint(webPort)).toBe(second);
  });

  it('a bad certificate at SIGHUP keeps the old one and says why', async () => {
    const dir = tempDir('mud-tls-');
    const files = ensureSelfSigned(path.join(dir, 'certs'), 'certs');
    const first = readCertificate(files).fingerprint;
    const server = await spawnServer(serverEnv(dir, { MUD_TLS_CERT: files.cert, MUD_TLS_KEY: files.key, MUD_TLS_PORT: '0', MUD_WEB: 'off' }));
    servers.push(server);
    fs.writeFileSync(files.cert, 'not a certificate\n');
    server.child.kill('SIGHUP');
    expect(await logLine(dir, 'server.log', /SIGHUP: the TLS certificate was not re-read, the old one stays in use: .*are not a PEM certificate/)).toBe(true);
    const client = await tlsClient(tlsPortOf(server));
    expect(client.peerFingerprint).toBe(first);
  });

  it('npm start (portal and game): a self-signed certificate is made and printed; TLS telnet, HTTPS and SIGHUP work there too', async () => {
    const dir = tempDir('mud-tls-');
    const server = await spawnServer(serverEnv(dir, { MUD_TLS_SELF_SIGNED: 'on', MUD_TLS_PORT: '0', MUD_WEB_TLS: 'on' }), { script: 'server/portal/main.ts', timeoutMs: 60_000 });
    servers.push(server);
    const keyFile = path.join(dir, 'data', 'tls', 'self_signed.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const first = readCertificate({ cert: path.join(dir, 'data', 'tls', 'self_signed.crt'), key: keyFile }).fingerprint;
    expect(server.stdout()).toContain(`TLS certificate SHA-256 fingerprint: ${first}`);

    const player = await tlsClient(tlsPortOf(server));
    expect(player.peerFingerprint).toBe(first);
    await player.command(`create Pol ${PASSWORD}`, 'You become Pol');
    // The game prints the token a moment after the portal's start-up lines.
    expect(await until(() => server.adminToken() !== null, 30_000, 50)).toBe(true);
    await player.command(`claim ${server.adminToken()}`, 'You are now the Developer');
    const webPort = webPortOf(server);
    const browser = await TestWebClient.connect(`https://127.0.0.1:${webPort}`, { rejectUnauthorized: false });
    clients.push(browser);
    await browser.waitFor('Welcome to');
    await browser.command(`create Webb ${PASSWORD}`, 'You become Webb');
    // The portal serves the https; the console behind it still knows the login came over it.
    const login = await consoleLogin(webPort, 'Pol');
    expect(login.status).toBe(200);
    expect(login.setCookie).toMatch(/; Secure/);

    // A new self-signed pair in place of the old, then SIGHUP to the portal, which serves both TLS ports.
    fs.rmSync(path.join(dir, 'renew'), { recursive: true, force: true });
    const renewed = ensureSelfSigned(path.join(dir, 'renew'), 'renew');
    const second = readCertificate(renewed).fingerprint;
    fs.copyFileSync(renewed.cert, path.join(dir, 'data', 'tls', 'self_signed.crt'));
    fs.copyFileSync(renewed.key, keyFile);
    server.child.kill('SIGHUP');
    expect(await logLine(dir, 'portal_process.log', new RegExp(`SIGHUP: TLS certificate re-read, SHA-256 fingerprint ${second}`))).toBe(true);
    await player.command('say still here', 'You say, "still here"');
    await browser.command('say still on the web', 'You say, "still on the web"');
    expect((await tlsClient(tlsPortOf(server))).peerFingerprint).toBe(second);
    expect(await httpsFingerprint(webPort)).toBe(second);
  });
});

describe('settings', () => {
  it('MUD_WEB_TLS=on without a certificate is refused with the variables to set (exit 2)', async () => {
    const dir = tempDir('mud-tls-');
    const server = await spawnServer(serverEnv(dir, { MUD_WEB_TLS: 'on' }), { waitForPort: false });
    servers.push(server);
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toContain('MUD_WEB_TLS=on needs a certificate: set MUD_TLS_CERT and MUD_TLS_KEY, or MUD_TLS_SELF_SIGNED=on');
  });
});

describe('SIGHUP without a certificate', () => {
  for (const script of ['server/main.ts', 'server/portal/main.ts']) {
    it(`${script}: is logged and ends nothing (Node's default would stop the server)`, async () => {
      const dir = tempDir('mud-hup-');
      const server = await spawnServer(serverEnv(dir), { script, timeoutMs: 60_000 });
      servers.push(server);
      const player = await TestTelnetClient.connect(server.telnetPort);
      clients.push(player);
      await player.waitFor('Welcome to');
      await player.command(`create Hup ${PASSWORD}`, 'You become Hup');
      server.child.kill('SIGHUP');
      const log = script === 'server/main.ts' ? 'server.log' : 'portal_process.log';
      expect(await logLine(dir, log, /SIGHUP: no TLS certificate is configured, nothing to re-read/)).toBe(true);
      await player.command('say still here', 'You say, "still here"');
      expect(server.child.exitCode).toBeNull();
    });
  }
});
