/**
 * The game's private web socket (what the portal passes /admin, /metrics and /health to): only
 * the server's user may connect (mode 0600), and the client address the portal names in its
 * header is believed there and nowhere else.
 */
import fs from 'node:fs';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { consoleForPortal, webWithConsole } from '../../server/front_ends.ts';
import { CLIENT_ADDRESS_HEADER } from '../../server/web/guards.ts';
import { gameWebSocketPath } from '../../server/web/private_port.ts';
import { stopAfterEach } from '../support/cleanup.ts';
import { startGame } from '../support/game.ts';

function getOverSocket(socketPath: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe("the game's private web socket", () => {
  const start = stopAfterEach(startGame);

  it('is the owner’s only, believes the portal’s address header, and the public port never does', async () => {
    // Behind a trusted proxy, so that X-Forwarded-For would count on the public port.
    const run = await start({ config: { webTrustProxy: true } });
    const ports = await run.game.listen([consoleForPortal(run.game), webWithConsole(run.game)]);
    const socketPath = gameWebSocketPath(run.config.dataDir);
    expect(fs.statSync(socketPath).mode & 0o777).toBe(0o600);

    // The portal's word decides: loopback may read /metrics, elsewhere may not.
    expect((await getOverSocket(socketPath, '/metrics', { [CLIENT_ADDRESS_HEADER]: '127.0.0.1' })).status).toBe(200);
    expect((await getOverSocket(socketPath, '/metrics', { [CLIENT_ADDRESS_HEADER]: '198.51.100.7' })).status).toBe(403);
    // Without it (never from the portal) the request is from nobody in particular: not loopback.
    expect((await getOverSocket(socketPath, '/metrics')).status).toBe(403);
    expect((await getOverSocket(socketPath, '/metrics', { [CLIENT_ADDRESS_HEADER]: 'not an address' })).status).toBe(403);
    // X-Forwarded-For is the portal's to apply, not the game's, whatever MUD_WEB_TRUST_PROXY says.
    expect((await getOverSocket(socketPath, '/metrics', { [CLIENT_ADDRESS_HEADER]: '198.51.100.7', 'x-forwarded-for': '127.0.0.1' })).status).toBe(403);
    expect((await getOverSocket(socketPath, '/health', { [CLIENT_ADDRESS_HEADER]: '127.0.0.1' })).body).toMatch(/"up":true/);

    // On the public port the header is anyone's to write: the socket's peer (loopback) decides.
    const url = `http://127.0.0.1:${ports.web}`;
    expect((await fetch(`${url}/metrics`, { headers: { [CLIENT_ADDRESS_HEADER]: '198.51.100.7' } })).status).toBe(200);
    expect((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '198.51.100.7', [CLIENT_ADDRESS_HEADER]: '127.0.0.1' } })).status).toBe(403);
  });
});
