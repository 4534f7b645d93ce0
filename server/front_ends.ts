import type { GameConfig } from './config.ts';
import type { FrontEndFactory } from './game.ts';
import { telnetFrontEnd } from './telnet/front_end.ts';

export interface FrontEndEntry {
  name: string;
  factory: FrontEndFactory;
  describe(host: string, port: number): string;
}

/** The front ends this configuration asks for, in start-up order. */
export function frontEndsFor(_config: GameConfig): FrontEndEntry[] {
  return [
    {
      name: 'telnet',
      factory: telnetFrontEnd,
      describe: (host, port) => `Telnet listening on ${host}:${port} (telnet localhost ${port})`,
    },
  ];
}
