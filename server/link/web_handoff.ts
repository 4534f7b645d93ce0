/**
 * The web port (browser client, audit console, /metrics) during step 1 of the portal split: the
 * portal owns the listening socket, so the port never closes during a reload and two game
 * processes never race to bind it, and hands each accepted TCP connection (its file descriptor,
 * over Node's IPC channel) to the game process of the moment, which serves it as its own. The
 * kernel keeps the peer's address on the descriptor, so lock-outs, audit and the console's
 * loopback check see the real client. Browser sessions therefore still live in the game
 * process and reconnect after a reload; moving them into the portal needs the console proxied
 * with the client's address, which is the next step (README, "Processes").
 */
import type http from 'node:http';
import net from 'node:net';
import type { WebMount } from '../web/http.ts';

export const WEB_CONNECTION = 'mud:web-connection';

/** Game side: a mount whose only job is to feed handed-over sockets to the web front end's server. */
export function handedWebConnections(): WebMount {
  let onMessage: ((message: unknown, handle: unknown) => void) | null = null;
  return {
    mount: () => {},
    attach(httpServer: http.Server) {
      onMessage = (message, handle) => {
        if (message !== WEB_CONNECTION || !(handle instanceof net.Socket)) return;
        httpServer.emit('connection', handle);
        handle.resume();
      };
      process.on('message', onMessage);
    },
    async close() {
      if (onMessage) process.off('message', onMessage);
    },
  };
}

/**
 * Portal side: listens on the web port and passes each connection to `target()`'s process;
 * while there is none (mid-reload) connections wait, paused, up to `maxWaiting`.
 */
export function webHandoffListener(target: () => { sendHandle(message: string, handle: net.Socket): boolean } | null, maxWaiting = 500) {
  const waiting: net.Socket[] = [];
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    socket.on('error', () => {});
    if (!pass(socket)) {
      if (waiting.length >= maxWaiting) socket.destroy();
      else waiting.push(socket);
    }
  });
  function pass(socket: net.Socket): boolean {
    const game = target();
    if (!game) return false;
    try {
      return game.sendHandle(WEB_CONNECTION, socket);
    } catch {
      return false;
    }
  }
  return {
    server,
    /** A game became ready: what waited goes to it, in arrival order. */
    release(): void {
      while (waiting.length) {
        const socket = waiting.shift()!;
        if (socket.destroyed) continue;
        if (!pass(socket)) {
          waiting.unshift(socket);
          return;
        }
      }
    },
    close(): Promise<void> {
      for (const socket of waiting.splice(0)) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
