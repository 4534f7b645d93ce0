/**
 * `npm start`: reads the configuration, loads the game and opens its front ends. Prints one line
 * per listener; a port in use or a bad setting is one clear message and a non-zero exit code.
 */
import { ConfigError, loadConfig } from './config.ts';
import { Game } from './game.ts';
import { frontEndsFor } from './front_ends.ts';

export const EXIT_CONFIG = 2;
export const EXIT_PORT_IN_USE = 3;

function fail(message: string, code: number): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT_CONFIG);
    throw error;
  }
  const game = new Game(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, shutting down...\n`);
    game.shutdown(signal).then(
      () => process.exit(0),
      (error) => fail(`shutdown failed: ${(error as Error).message}`, 1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  game.onStop(() => process.exit(0));
  process.on('uncaughtException', (error) => {
    game.log.server.error(`Uncaught exception, shutting down: ${error.stack ?? error.message}`);
    process.stderr.write(`fatal: ${error.stack ?? error.message}\n`);
    void game.shutdown('uncaught exception').finally(() => process.exit(1));
  });

  try {
    for (const frontEnd of frontEndsFor(config)) {
      const ports = await game.listen([frontEnd.factory]);
      process.stdout.write(`${frontEnd.describe(config.host, ports[frontEnd.name]!)}\n`);
    }
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    await game.shutdown('start-up failed');
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
      const what = err.code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this process does not have';
      fail(`cannot listen on ${config.host}:${(err as { port?: number }).port ?? '?'}: the port ${what}. Set MUD_TELNET_PORT / MUD_WEB_PORT to free ports.`, EXIT_PORT_IN_USE);
    }
    fail(`cannot start: ${err.message}`, 1);
  }
  process.stdout.write(`${config.serverName} is running (data in ${config.dataDir}, logs in ${config.logDir}). Ctrl-C stops it.\n`);
}

void main();
