/**
 * The reach tests' servers: the game with its TLS telnet port (a self-signed certificate made
 * by the real code, with Debian's openssl) and MUD_PROXY_FROM gateways, in this process.
 */
import { afterEach } from 'vitest';
import { DEFAULT_REACH, type ReachSettings } from '../../server/config_reach.ts';
import { Certificates } from '../../server/net/certificate.ts';
import { telnetListeners } from '../../server/telnet/front_end.ts';
import { startGame, type RunningGame, type TestConfig } from '../support/game.ts';
import { requireTool } from '../support/tools.ts';

/** Null (after a loud warning; an error under MUD_TEST_REQUIRE_TOOLS=1) without openssl. */
export function opensslOrSkip(): string | null {
  return requireTool('the TLS tests make their certificates with', 'openssl');
}

export interface ReachGame extends RunningGame {
  tlsPort: number;
  certificates: Certificates | null;
}

/** The game with the telnet port, and the TLS one unless `tls: false`; `reach` over the defaults. */
export async function startReachGame(options: { reach?: Partial<ReachSettings>; config?: TestConfig; tls?: boolean } = {}): Promise<ReachGame> {
  const tls = options.tls ?? true;
  let certificates: Certificates | null = null;
  const run = await startGame({
    config: { ...options.config, reach: { ...DEFAULT_REACH, tlsPort: 0, tlsSelfSigned: tls, ...options.reach } },
    frontEnds: (config) => {
      certificates = Certificates.open(config.reach, config.dataDir, config.serverName);
      const listeners = telnetListeners(certificates);
      return listeners.tls ? [listeners.telnet, listeners.tls] : [listeners.telnet];
    },
  });
  return Object.assign(run, { tlsPort: run.ports['telnet+tls'] ?? 0, certificates });
}

/** The audit table's rows of these types, once everything emitted so far is written. */
export async function trailOf(run: RunningGame, types: string[]) {
  await run.game.auditTrail.flush();
  return run.game.auditReader.search({ types, limit: 100 });
}

/** Registers an afterEach that closes the clients kept and stops the games started, in that order. */
export function trackReach() {
  const clients: Array<{ close(): void }> = [];
  const games: ReachGame[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const game of games.splice(0)) await game.stop();
  });
  return {
    async start(options?: Parameters<typeof startReachGame>[0]): Promise<ReachGame> {
      const game = await startReachGame(options);
      games.push(game);
      return game;
    },
    keep<T extends { close(): void }>(client: T): T {
      clients.push(client);
      return client;
    },
  };
}
