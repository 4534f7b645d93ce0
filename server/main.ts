/**
 * `npm start`: reads the configuration, loads the game and opens its front ends. Prints one line
 * per listener; a port in use or a bad setting is one clear message and a non-zero exit code.
 */
import { ConfigError, loadConfig } from './config.ts';
import { Game } from './game.ts';
import { frontEndsFor } from './front_ends.ts';
import { DataDirInUseError } from './pid_file.ts';
import { CertificateError, Certificates } from './net/certificate.ts';
import { watchCertificates } from './net/certificate_reload.ts';
import { EXIT_CONFIG, EXIT_DATA_DIR_IN_USE, fail, listenError } from './startup.ts';


async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT_CONFIG);
    throw error;
  }
  // Before the game opens anything: a certificate that cannot be had is a setting to fix.
  let certificates: Certificates | null;
  try {
    certificates = Certificates.open(config.reach, config.dataDir, config.serverName);
  } catch (error) {
    if (error instanceof CertificateError) fail(error.message, EXIT_CONFIG);
    throw error;
  }
  let game: Game;
  try {
    game = new Game(config);
  } catch (error) {
    if (error instanceof DataDirInUseError) fail(`cannot start: ${error.message}`, EXIT_DATA_DIR_IN_USE);
    fail(`cannot open the game: ${(error as Error).message}`, 1);
  }
  // However the game stops (signal, @shutdown, failed start), the process exits with this code.
  // The game wrote data/server.pid with its data dir's lock and removes it at its shutdown.
  let exitCode = 0;
  game.onStop(() => process.exit(exitCode));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, shutting down...\n`);
    game.shutdown(signal).catch((error) => fail(`shutdown failed: ${(error as Error).message}`, 1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Node's default for SIGUSR2 is to exit: here it would end the game for everyone.
  process.on('SIGUSR2', () => game.log.server.warn('SIGUSR2 was ignored: the single-process server cannot reload (npm start runs the portal, which can).'));
  process.on('uncaughtException', (error) => {
    game.log.server.error(`Uncaught exception, shutting down: ${error.stack ?? error.message}`);
    process.stderr.write(`fatal: ${error.stack ?? error.message}\n`);
    exitCode = 1;
    void game.shutdown('uncaught exception');
  });

  const bound: Record<string, number> = {};
  try {
    for (const frontEnd of frontEndsFor(game, certificates)) {
      const ports = await game.listen([frontEnd.factory]);
      Object.assign(bound, ports);
      process.stdout.write(`${frontEnd.describe(config.host, ports[frontEnd.name]!)}\n`);
    }
  } catch (error) {
    const refused = listenError(config.host, error as NodeJS.ErrnoException & { port?: number });
    process.stderr.write(`error: ${refused.message}\n`);
    exitCode = refused.code;
    await game.shutdown('start-up failed');
    return;
  }
  if (certificates) process.stdout.write(`TLS certificate SHA-256 fingerprint: ${certificates.current.fingerprint}\n`);
  watchCertificates(certificates, game.log.server);
  game.announceStart('single', bound);
  const token = game.accounts.adminToken();
  if (token) process.stdout.write(`No admin yet. Log in, then type: claim ${token}   (one-time admin token; npm run admin -- token shows it again)\n`);
  process.stdout.write(`${config.serverName} is running (data in ${config.dataDir}, logs in ${config.logDir}). Ctrl-C stops it.\n`);
}

void main();
