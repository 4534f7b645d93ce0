import type { AdminSettings } from './config.ts';
import { browsable } from './startup.ts';
import { AdminConsole } from './console/console.ts';
import type { ConsolePorts } from './console/ports.ts';
import type { Game } from './game.ts';
import type { FrontEndFactory } from './sessions/front_end.ts';
import type { Certificates } from './net/certificate.ts';
import { telnetListeners } from './telnet/front_end.ts';
import { webScheme } from './web/web_server.ts';
import { createWebFrontEnd, type WebFrontEndOptions } from './web/front_end.ts';
import type { WebMount } from './web/http.ts';
import { privateWebFrontEnd } from './web/private_port.ts';
import { mudWebSockets, webSocketLimits } from './web/websocket.ts';

export interface FrontEndEntry {
  name: string;
  factory: FrontEndFactory;
  describe(host: string, port: number): string;
}


/** The operators' audit console and /metrics, for the web port. `admin`: settings over the configured ones. */
function adminConsole(game: Game, admin?: Partial<AdminSettings>, reloads?: ConsolePorts['reloads']): AdminConsole {
  const { config, accounts, loginGuard, consoleSessions, audit, auditTrail, auditReader, objects, sessions, staff, log, startedAt } = game;
  const ports: ConsolePorts = { config, accounts, loginGuard, consoleSessions, audit, auditTrail, auditReader, objects, sessions, staff, log, startedAt, reloads };
  return new AdminConsole(ports, admin);
}

/**
 * The browser front end with the operators' audit console, /metrics and the mudstandards.org
 * WebSocket endpoint (/ws) mounted on its port (the single-process server).
 * `admin`: settings over the configured ones (the config file's "admin" block), for tests.
 */
export function webWithConsole(
  game: Game,
  options: Omit<WebFrontEndOptions, 'mounts'> & { admin?: Partial<AdminSettings>; extraMounts?: () => WebMount[]; reloads?: ConsolePorts['reloads'] } = {},
): FrontEndFactory {
  return createWebFrontEnd({
    ...options,
    mounts: (frontEndPorts, limits) => [
      adminConsole(game, options.admin, options.reloads),
      mudWebSockets(frontEndPorts, webSocketLimits(limits)),
      ...(options.extraMounts?.() ?? []),
    ],
  });
}

/**
 * The game process under the portal: the console, /metrics and /health on the private socket
 * the portal passes those requests to (the browser front ends themselves run in the portal).
 */
export function consoleForPortal(game: Game, reloads?: ConsolePorts['reloads']): FrontEndFactory {
  return privateWebFrontEnd(() => [adminConsole(game, undefined, reloads)]);
}

/** The certificate for the web port: the server's, when MUD_WEB_TLS=on. */
export function webCertificates(game: Pick<Game, 'config'>, certificates: Certificates | null): Certificates | null {
  return game.config.reach.webTls ? certificates : null;
}

/**
 * The front ends this game's configuration asks for, in start-up order. `certificates`
 * (Certificates.open, held by main.ts, which re-reads it on SIGHUP) adds the TLS telnet port.
 */
export function frontEndsFor(game: Game, certificates: Certificates | null = null): FrontEndEntry[] {
  const telnet = telnetListeners(certificates);
  const entries: FrontEndEntry[] = [
    {
      name: 'telnet',
      factory: telnet.telnet,
      describe: (host, port) => `Telnet listening on ${host}:${port} (telnet localhost ${port})`,
    },
  ];
  if (telnet.tls) {
    entries.push({
      name: 'telnet+tls',
      factory: telnet.tls,
      describe: (host, port) => `Telnet over TLS listening on ${host}:${port} (openssl s_client -connect localhost:${port})`,
    });
  }
  if (game.config.webEnabled) {
    const web = webCertificates(game, certificates);
    entries.push({
      name: 'web',
      factory: webWithConsole(game, { certificates: web }),
      describe: (host, port) => `Web client on ${webScheme(web)}://${browsable(host)}:${port}/ (listening on ${host}:${port})`,
    });
  }
  return entries;
}
