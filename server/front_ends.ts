import type { GameConfig } from './config.ts';
import type { FrontEndFactory } from './game.ts';
import { telnetFrontEnd } from './telnet/front_end.ts';
import { webFrontEnd } from './web/front_end.ts';

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

/** The front ends this configuration asks for, in start-up order. */
export function frontEndsFor(config: GameConfig): FrontEndEntry[] {
  const entries: FrontEndEntry[] = [
    {
      name: 'telnet',
      factory: telnetFrontEnd,
      describe: (host, port) => `Telnet listening on ${host}:${port} (telnet localhost ${port})`,
    },
  ];
  if (config.webEnabled) {
    entries.push({
      name: 'web',
      factory: webFrontEnd,
      describe: (host, port) => `Web client on http://${browsable(host)}:${port}/ (listening on ${host}:${port})`,
    });
  }
  return entries;
}
