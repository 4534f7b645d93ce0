/**
 * `/ws` on the web port: a plain WebSocket endpoint any web or mobile MUD client can use, speaking
 * the mudstandards.org subprotocols (https://mudstandards.org/websocket/) the client asks for in
 * `Sec-WebSocket-Protocol` (the first of its list that we speak wins):
 *
 *   telnet.mudstandards.org    the full telnet stream in binary frames, through our telnet layer
 *                              (server/telnet/) with every option the telnet port has
 *   gmcp.mudstandards.org      game text in binary frames, GMCP in text frames (ws_text.ts)
 *   terminal.mudstandards.org  UTF-8 text with ANSI colour (ws_text.ts)
 *
 * No subprotocol, or none of these, is refused before the upgrade with a 400 that says which to
 * ask for. The guards are the socket.io path's: the same origin check (guards.ts), the per-address
 * socket count (socket_limits.ts, below HTTP), the per-address connection limits and the command
 * rate (the session stage's), a bound on one message (`maxPayload`) and on open connections.
 * Sessions are audited with protocol `ws`; a frame `ws` refuses is a `protocol_error` event.
 */
import { tlsConfigured } from '../config_reach.ts';
import type http from 'node:http';
import type net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { FrontEndPorts, FrontEndSession } from '../sessions/front_end.ts';
import type { ProtocolErrorKind } from '../sessions/protocol_errors.ts';
import { httpRefusal, refuseSocket } from '../net/refuse.ts';
import { TelnetConnection } from '../telnet/connection.ts';
import { DEFAULT_LIMITS as TELNET_LIMITS } from '../telnet/types.ts';
import { msspFor, openTelnetSession } from '../telnet/front_end.ts';
import { cleanInput, escapeForLog } from '../text.ts';
import { clientAddress, originAllowed } from './guards.ts';
import type { WebLimits } from './front_end.ts';
import type { WebMount } from './http.ts';
import { WsTextConnection, type WsTextLimits } from './ws_text.ts';
import { WebSocketByteStream } from './ws_stream.ts';

export const WS_PATH = '/ws';
export const WS_SUBPROTOCOLS = ['telnet.mudstandards.org', 'gmcp.mudstandards.org', 'terminal.mudstandards.org'] as const;
export type MudSubprotocol = (typeof WS_SUBPROTOCOLS)[number];

export interface WsLimits extends WsTextLimits {
  /** The largest message a client may send; a bigger one closes its connection (1009). */
  maxPayloadBytes: number;
  /** WebSocket connections open at once; past it a new one gets a 503. */
  maxConnections: number;
  /** How long closing waits for the clients' close handshakes. */
  flushTimeoutMs: number;
}

/** The socket.io path's limits, as this endpoint applies them; output is bounded as on telnet. */
export function webSocketLimits(web: Readonly<WebLimits>): WsLimits {
  return {
    maxLineBytes: web.maxLineBytes,
    maxPayloadBytes: web.maxPacketBytes,
    maxConnections: web.maxConnections,
    flushTimeoutMs: web.flushTimeoutMs,
    maxOutputBytes: TELNET_LIMITS.maxOutputBuffer,
  };
}

/** The subprotocols a client offers (`Sec-WebSocket-Protocol: a, b`), in its order. */
export function offeredSubprotocols(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return text.split(',').map((p) => p.trim()).filter(Boolean);
}

/** The first offered subprotocol we speak, or null. */
export function chooseSubprotocol(offered: Iterable<string>): MudSubprotocol | null {
  for (const protocol of offered) if ((WS_SUBPROTOCOLS as readonly string[]).includes(protocol)) return protocol as MudSubprotocol;
  return null;
}

export const NO_SUBPROTOCOL = `This is the game's WebSocket endpoint; ask for one of the mudstandards.org subprotocols in Sec-WebSocket-Protocol: ${WS_SUBPROTOCOLS.join(', ')}.`;

/** A frame `ws` refused, as a protocol error: which rule (its error code) and what it says. */
function refusedFrame(error: Error & { code?: string }): { kind: ProtocolErrorKind; excerpt: string } | null {
  if (!error.code?.startsWith('WS_ERR_')) return null;
  return { kind: error.code === 'WS_ERR_INVALID_UTF8' ? 'invalid_utf8' : 'ws_frame_refused', excerpt: `${error.code}: ${error.message}` };
}

/** The endpoint, mounted on the web front end's HTTP server (server/front_ends.ts). */
export function mudWebSockets(ports: FrontEndPorts, limits: WsLimits): WebMount {
  const { config } = ports;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxPayloadBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => chooseSubprotocol(protocols) ?? false,
  });
  const mssp = msspFor(ports, { telnet: config.telnetPort, tls: tlsConfigured(config.reach) ? config.reach.tlsPort : null });

  function upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    if (new URL(req.url ?? '/', 'http://x').pathname !== WS_PATH) return; // socket.io's, or the console's
    if (!originAllowed(req.headers, config.webOrigins, config.webTrustProxy)) {
      return refuseSocket(socket, httpRefusal('403 Forbidden', 'Pages from this origin may not open a game WebSocket here (see MUD_WEB_ORIGINS).'));
    }
    const subprotocol = chooseSubprotocol(offeredSubprotocols(req.headers['sec-websocket-protocol']));
    if (!subprotocol) return refuseSocket(socket, httpRefusal('400 Bad Request', NO_SUBPROTOCOL));
    if (wss.clients.size >= limits.maxConnections) return refuseSocket(socket, httpRefusal('503 Service Unavailable', 'Too many WebSocket connections; try again later.'));
    wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        open(ws, req, subprotocol);
      } catch (error) {
        ports.log.server.error(`WebSocket connection setup failed: ${escapeForLog(String((error as Error)?.stack ?? error))}`);
        ws.terminate();
      }
    });
  }

  function open(ws: WebSocket, req: http.IncomingMessage, subprotocol: MudSubprotocol): void {
    // Behind a trusted proxy, its X-Forwarded-For: the same address socket.io's path uses.
    const address = clientAddress(req.socket.remoteAddress, req.headers, config.webTrustProxy);
    const refusal = ports.sessions.limits.admitConnection(address, 'ws');
    if (refusal) return refuse(ws, subprotocol, refusal);
    // As on the telnet port: small interactive frames without Nagle's wait; keepalive reaps
    // peers that vanished without a FIN.
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 60_000);
    let session: FrontEndSession;
    if (subprotocol === 'telnet.mudstandards.org') {
      session = openTelnetSession(ports, new TelnetConnection(new WebSocketByteStream(ws, address), { mssp }), 'ws');
    } else {
      const userAgent = req.headers['user-agent'];
      const clientName = userAgent ? cleanInput(userAgent).slice(0, 200) : null;
      session = new WsTextConnection(ws, subprotocol, { remoteAddress: address, clientName }, ports, limits).session;
    }
    // After the connection's own listeners, before its close: the refusal is audited first.
    ws.on('error', (error) => {
      const refused = refusedFrame(error);
      if (refused) session.reportProtocolError(refused.kind, refused.excerpt);
    });
  }

  return {
    mount(app) {
      app.get(WS_PATH, (_req, res) => {
        res.status(426).set('Upgrade', 'websocket').type('text').send(`${NO_SUBPROTOCOL}\n`);
      });
    },
    attach(httpServer) {
      httpServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => upgrade(req, socket, head));
    },
    async close() {
      // The sessions have said goodbye and closed; wait a moment for the close handshakes.
      const deadline = Date.now() + limits.flushTimeoutMs;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Over a per-address limit: the line that says which, in the subprotocol's own form, then 1008. */
function refuse(ws: WebSocket, subprotocol: MudSubprotocol, line: string): void {
  // Whatever it sends meanwhile is not read; an error unheard would be thrown.
  ws.on('error', () => {});
  const text = `${line}\r\n`;
  if (subprotocol === 'terminal.mudstandards.org') ws.send(text);
  else ws.send(Buffer.from(text, 'utf8'), { binary: true });
  ws.close(1008, 'connection limit');
}
