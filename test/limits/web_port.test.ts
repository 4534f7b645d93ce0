import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { stopAfterEach } from '../support/cleanup.ts';
import { TestWebClient, startWebGame } from '../web/support.ts';
import { PATIENCE_MS } from '../support/wait.ts';

/** A GET from `localAddress` (another loopback address: another host as the server sees it). */
function get(port: number, path: string, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: PATIENCE_MS }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/** A request whose headers never finish: the half-open requests that once took the port down. */
function halfOpen(port: number, localAddress: string): Promise<{ socket: net.Socket; answer: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let answer = '';
    let closed = false;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      resolve({ socket, answer: () => answer, closed: () => closed });
    });
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => (closed = true));
    socket.on('error', (error) => (closed ? undefined : reject(error)));
  });
}

describe('per-address limits on the web port', () => {
  const start = stopAfterEach(startWebGame);

  it('stays reachable for others while one address holds many half-open requests, and sheds them', async () => {
    // A small server-wide cap, so that one address could fill it if nothing stopped it per address.
    const run = await start({
      limits: { maxConnections: 150, headersTimeoutMs: 1500 },
      config: { limits: { rateExempt: [], webSockets: 50 } },
    });
    const attack = await Promise.all(Array.from({ length: 300 }, () => halfOpen(run.webPort, '127.0.0.2')));
    // 50 are held (their requests never finish); every other one is answered 429 and closed at once.
    await expect.poll(() => attack.filter((a) => a.closed()).length).toBe(250);
    const held = attack.filter((a) => !a.closed());
    expect(held.every((a) => a.answer() === '')).toBe(true);
    // (A few may instead be dropped by the server-wide cap while the refused ones close.)
    const turnedAway = attack.filter((a) => a.answer().startsWith('HTTP/1.1 429 Too Many Requests'));
    expect(turnedAway.length).toBeGreaterThan(200);
    expect(turnedAway[0]!.answer()).toContain('Too many connections to this port from your address (50 open at once); close some and try again.');

    // Meanwhile another address gets the page, /health, /metrics (loopback may read it), /admin and a game socket.
    expect((await get(run.webPort, '/health', '127.0.0.3')).status).toBe(200);
    expect((await get(run.webPort, '/', '127.0.0.3')).body).toContain('Audited MUD');
    expect((await get(run.webPort, '/metrics', '127.0.0.3')).status).toBe(200);
    expect((await get(run.webPort, '/admin', '127.0.0.3')).status).toBe(200);
    const player = await TestWebClient.connect(run.url, { localAddress: '127.0.0.3' });
    await player.waitFor('Welcome to');
    player.close();

    // The 50 that got in never finish their headers: the server closes them (408), and the address gets its share back.
    await expect.poll(() => attack.filter((a) => a.closed()).length, { timeout: 10_000 }).toBe(300);
    expect((await get(run.webPort, '/health', '127.0.0.2')).status).toBe(200);
    for (const a of attack) a.socket.destroy();
  });

  it('puts the game connection limits on the webclient as on telnet: one line, then closed', async () => {
    const run = await start({ config: { limits: { rateExempt: [], loginScreen: 1 } } });
    const first = await TestWebClient.connect(run.url, { localAddress: '127.0.0.2' });
    await first.waitFor('Welcome to');
    const second = await TestWebClient.connect(run.url, { localAddress: '127.0.0.2' });
    await second.waitFor('Too many connections from your address are at the login screen (1); log in or close one, then try again.');
    await second.waitClosed();
    expect(second.text).not.toContain('Welcome to');
    const elsewhere = await TestWebClient.connect(run.url, { localAddress: '127.0.0.3' });
    await elsewhere.waitFor('Welcome to');
    for (const c of [first, elsewhere]) c.close();
  });
});
