/**
 * The web port's own share of the per-address limits, below HTTP: 5,100 half-open requests from
 * one address (headers never finished) once held every socket the server would accept, and the
 * webclient, /admin and /metrics went dark for everyone. Now each address holds at most
 * `webSockets` TCP connections (counted before any HTTP is parsed), and a request must have
 * arrived within bounded times, so slow ones give their sockets back.
 */
import type http from 'node:http';
import type net from 'node:net';
import { normaliseAddress } from '../net/address.ts';
import { httpRefusal, refuseSocket } from '../net/refuse.ts';
import type { SessionLimits } from '../sessions/session_limits.ts';

export interface HttpTimeouts {
  /** A request's headers must have arrived within this long (Node's default: 60 s). */
  headersTimeoutMs: number;
  /** ...and the whole request within this long (Node's default: 300 s). A long-poll's wait is the answer's, not the request's. */
  requestTimeoutMs: number;
  /** How often Node checks those two (its default, 30 s, would let a slow request live 90 s). */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: Readonly<HttpTimeouts> = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, checkIntervalMs: 1_000 };

/** `http.createServer` options that bound how long a request may take to arrive. */
export function httpServerOptions(timeouts: HttpTimeouts): http.ServerOptions {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  };
}

/**
 * Counts every TCP connection to `server` against its address before the HTTP parser sees it;
 * over the limit it gets one plain 429 and is closed, and HTTP never parses a byte of it. Call
 * it on a new server: the 'connection' listeners it has by then (http's own) are the ones a
 * refused socket never reaches.
 */
export function limitSocketsPerAddress(server: http.Server, limits: SessionLimits): void {
  const http = server.listeners('connection') as Array<(socket: net.Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: net.Socket) => {
    const address = normaliseAddress(socket.remoteAddress);
    const refusal = limits.admitSocket(address);
    if (!refusal) {
      socket.once('close', () => limits.socketClosed(address));
      for (const listener of http) listener.call(server, socket);
      return;
    }
    refuseSocket(socket, httpRefusal('429 Too Many Requests', refusal));
  });
}
