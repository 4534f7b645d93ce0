/**
 * The web port's routes that need the game (the audit console under /admin with its live-tail
 * socket, /metrics, /health), mounted on the portal's web front end: each request is passed to
 * the attached game's private socket (server/web/private_port.ts) with the client's address in
 * CLIENT_ADDRESS_HEADER (and whether it came over https in CLIENT_PROTO_HEADER), so the
 * console's loopback check, lock-outs, audit and Secure cookie see the real client; while no game is attached the portal answers itself (game_web_fallback.ts).
 *
 * Why a proxy to a private socket rather than the console in the portal: the console reads
 * the store, the sessions, the audit table and the live bus, which live in the game and change
 * with its code; the portal stays a small thing that holds sockets and is rarely restarted.
 * Why not the hand-over of file descriptors it replaces: a socket handed to a game dies with
 * that game, and a browser's keep-alive connection (its socket.io session) with it.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type express from 'express';
import type { Request, Response } from 'express';
import { httpRefusal } from '../net/refuse.ts';
import { cameOverHttps } from '../console/sessions.ts';
import { CLIENT_ADDRESS_HEADER, CLIENT_PROTO_HEADER, requestAddress } from '../web/guards.ts';
import type { WebMount } from '../web/http.ts';
import { Exposition } from '../console/metrics.ts';
import { answerWithoutGame, gameGauges, RETRY_AFTER_SECONDS, type NoGameState, type PortalWebFacts } from './game_web_fallback.ts';
import type { GameState } from './supervisor.ts';

/** Paths the game answers; everything else on the port is the portal's (the webclient). */
const GAME_ROUTES = ['/admin', '/metrics', '/health'];
/** The live tail upgrades to a WebSocket under /admin/socket.io (the console's own engine.io). */
const GAME_UPGRADES = /^\/admin\//;

/** A game that takes this long to answer is treated as not answering. */
const UPSTREAM_TIMEOUT_MS = 30_000;

/** Connection-level headers (RFC 9110 §7.6.1): they describe one hop, not the request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

export interface GameWebPorts extends PortalWebFacts {
  /** The private socket of the game taking lines now, or null (mid-reload, crash backoff, down). */
  target(): string | null;
  state(): GameState;
}

/** Ours, replacing whatever the client put there: the game believes them on its private socket only. */
const VOUCHED = new Set([CLIENT_ADDRESS_HEADER, CLIENT_PROTO_HEADER]);

/** Who the client is, as the game is to see it: its address and whether it came over https. */
function vouchedHeaders(req: http.IncomingMessage, trustProxy: boolean): Record<string, string> {
  return {
    [CLIENT_ADDRESS_HEADER]: requestAddress(req, trustProxy),
    [CLIENT_PROTO_HEADER]: cameOverHttps(req.socket as { encrypted?: boolean }, req.headers, trustProxy) ? 'https' : 'http',
  };
}

function forwardedHeaders(req: http.IncomingMessage, trustProxy: boolean): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && !VOUCHED.has(name)) headers[name] = value;
  return { ...headers, ...vouchedHeaders(req, trustProxy) };
}

function answerHeaders(answer: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && name !== 'transfer-encoding') headers[name] = value;
  return headers;
}

export function gameWebMount(ports: GameWebPorts): WebMount {
  // Keep-alive to the game: a console page's requests reuse one socket instead of one each.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const trustProxy = ports.config.webTrustProxy;

  const withoutGame = (req: Request, res: Response, state?: NoGameState) => {
    const current = ports.state();
    answerWithoutGame(ports, state ?? (current === 'running' ? 'unreachable' : current), req, res);
  };

  const pass = (req: Request, res: Response) => {
    const socketPath = ports.target();
    if (!socketPath) return withoutGame(req, res);
    const isMetrics = req.originalUrl.split('?')[0] === '/metrics';
    const upstream = http.request(
      { socketPath, agent, method: req.method, path: req.originalUrl, headers: forwardedHeaders(req, trustProxy) },
      (answer) => {
        const headers = answerHeaders(answer);
        if (!(isMetrics && answer.statusCode === 200)) {
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.pipe(res);
          return;
        }
        // The game's metrics, then the portal's gauges: one scrape says whether a game is up.
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat([...chunks, Buffer.from(gameGauges(new Exposition(), 'running').toString())]);
          // The game's length and ETag describe its part only.
          delete headers['content-length'];
          delete headers.etag;
          res.writeHead(200, { ...headers, 'content-length': body.length }).end(body);
        });
        answer.on('error', () => res.destroy());
      },
    );
    upstream.setTimeout(UPSTREAM_TIMEOUT_MS, () => upstream.destroy(new Error('the game did not answer in time')));
    upstream.on('error', () => {
      // Gone between the check and the request (a crash), or not answering: say so, if still possible.
      if (!res.headersSent) withoutGame(req, res, ports.state() === 'running' ? 'unreachable' : undefined);
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  /** A WebSocket upgrade under /admin/: the request goes to the game as it came, then bytes both ways. */
  const tunnel = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const socketPath = ports.target();
    if (!socketPath) {
      socket.end(httpRefusal('503 Service Unavailable', 'The game is reloading; retry in a moment.', { 'Retry-After': String(RETRY_AFTER_SECONDS) }));
      return;
    }
    const upstream = net.connect(socketPath);
    const drop = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', drop);
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    upstream.on('connect', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      // rawHeaders keeps the Upgrade and Connection headers the handshake needs; no value holds a CR or LF (the parser refused those).
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        if (!VOUCHED.has(req.rawHeaders[i]!.toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      }
      for (const [name, value] of Object.entries(vouchedHeaders(req, trustProxy))) lines.push(`${name}: ${value}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
  };

  return {
    mount(app: express.Express) {
      app.use(GAME_ROUTES, pass);
    },
    attach(httpServer: http.Server) {
      httpServer.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        if (GAME_UPGRADES.test(req.url ?? '')) tunnel(req, socket, head);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}
