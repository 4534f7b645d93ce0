/**
 * The game process's web port under the portal: what needs the game (the audit console under
 * /admin with its live tail, /metrics, /health) on a Unix socket in the data dir, mode 0600,
 * which only the portal connects to. The portal serves the public web port and passes those
 * requests here with the client's address in CLIENT_ADDRESS_HEADER, believed on this socket
 * only (guards.ts, requestAddress), so the console's lock-outs, audit and loopback check see the
 * real client. The webclient's sessions never come here: they reach the game over the link.
 */
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import type { FrontEnd, FrontEndFactory } from '../sessions/front_end.ts';
import { socketPathIn } from '../data_dir.ts';
import { FROM_PORTAL } from './guards.ts';
import { WEB_DIR, webApp, type WebMount } from './http.ts';
import { DEFAULT_HTTP_TIMEOUTS, httpServerOptions } from './socket_limits.ts';

/** The private socket's file (one game at a time listens on it; the next one after a handover). */
export function gameWebSocketPath(dataDir: string): string {
  return socketPathIn(dataDir, 'game_web.sock');
}

export function privateWebFrontEnd(mounts: () => WebMount[]): FrontEndFactory {
  return (ports): FrontEnd => {
    const file = gameWebSocketPath(ports.config.dataDir);
    const own = mounts();
    const server = http.createServer(httpServerOptions(DEFAULT_HTTP_TIMEOUTS), webApp(ports, WEB_DIR, own));
    // Marked before any request is parsed, so every request and upgrade on it is the portal's.
    server.prependListener('connection', (socket: net.Socket) => Object.assign(socket, { [FROM_PORTAL]: true }));
    server.on('clientError', (_error, socket) => socket.destroy());
    for (const mount of own) mount.attach(server);
    let listening = false;
    return {
      name: 'console',
      listen: () =>
        new Promise<number>((resolve, reject) => {
          // A game killed with -9 leaves its socket file; this game holds the data dir now.
          fs.rmSync(file, { force: true });
          server.once('error', reject);
          server.listen(file, () => {
            server.off('error', reject);
            fs.chmodSync(file, 0o600);
            listening = true;
            resolve(0);
          });
        }),
      close: async () => {
        for (const mount of own) await mount.close();
        if (!listening) return;
        listening = false;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      },
    };
  };
}
