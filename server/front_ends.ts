import type { AdminSettings } from './config.ts';
import { AdminConsole } from './console/console.ts';
import type { ConsolePorts } from './console/ports.ts';
import type { Game } from './game.ts';
import type { FrontEndFactory } from './sessions/front_end.ts';
import { telnetFrontEnd } from './telnet/front_end.ts';
import { createWebFrontEnd, type WebFrontEndOptions } from './web/front_end.ts';
import type { WebMount } from './web/http.ts';

export interface FrontEndEntry {
  name: string;
  factory: FrontEndFactory;
  describe(host: string, port: number): string;
}

/** 0.0.0.0 / :: listen everywhere; a browser on this machine reaches them as localhost. */
function browsable(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The browser front end with the operators' audit console and /metrics mounted on its port.
 * `admin`: settings over the configured ones (the config file's "admin" block), for tests.
 */
export function webWithConsole(
  game: Game,
  options: Omit<WebFrontEndOptions, 'mounts'> & { admin?: Partial<AdminSettings>; extraMounts?: () => WebMount[] } = {},
): FrontEndFactory {
  const { config, accounts, loginGuard, audit, auditTrail, auditReader, objects, sessions, staff, log, startedAt } = game;
  const ports: ConsolePorts = { config, accounts, loginGuard, audit, auditTrail, auditReader, objects, sessions, staff, log, startedAt };
  return createWebFrontEnd({ ...options, mounts: () => [new AdminConsole(ports, options.admin), ...(options.extraMounts?.() ?? [])] });
}

/** The front ends this game's configuration asks for, in start-up order. */
export function frontEndsFor(game: Game): FrontEndEntry[] {
  const entries: FrontEndEntry[] = [
    {
      name: 'telnet',
      factory: telnetFrontEnd,
      describe: (host, port) => `Telnet listening on ${host}:${port} (telnet localhost ${port})`,
    },
  ];
  if (game.config.webEnabled) {
    entries.push({
      name: 'web',
      factory: webWithConsole(game),
      describe: (host, port) => `Web client on http://${browsable(host)}:${port}/ (listening on ${host}:${port})`,
    });
  }
  return entries;
}
