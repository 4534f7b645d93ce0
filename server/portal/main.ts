/**
 * `npm start`: the portal process. It holds the data dir's lock, the listening ports and every
 * connection with its protocol state (telnet negotiation, NAWS, TTYPE, GMCP, MCCP2; the
 * webclient's socket.io, with /admin, /metrics and /health passed to the game), and keeps
 * one game process (server/game_main.ts) attached over the link; `@reload`, `npm run reload`
 * and SIGUSR2 swap that process for a fresh one without dropping anyone. Prints one line per
 * listener, like the single-process server (server/main.ts), so tools read both alike.
 */
import type net from 'node:net';
import { ConfigError, loadConfig, type GameConfig } from '../config.ts';
import { DataDirInUseError, lockDataDir } from '../pid_file.ts';
import { describe } from '../audit/sinks/text_lines.ts';
import { SessionLimits } from '../sessions/session_limits.ts';
import type { FrontEndPorts } from '../sessions/front_end.ts';
import { telnetListeners } from '../telnet/front_end.ts';
import { CertificateError, Certificates } from '../net/certificate.ts';
import { watchCertificates } from '../net/certificate_reload.ts';
import { createWebFrontEnd } from '../web/front_end.ts';
import { gameWebSocketPath } from '../web/private_port.ts';
import { webScheme } from '../web/web_server.ts';
import { mudWebSockets, webSocketLimits } from '../web/websocket.ts';
import { PortalSessions } from './connections.ts';
import { serveControl, type ControlRequest } from './control.ts';
import { portalLogger } from './log.ts';
import { gameWebMount } from './game_web.ts';
import { GameSupervisor } from './supervisor.ts';
import { browsable, EXIT_CONFIG, EXIT_DATA_DIR_IN_USE, fail, listenError } from '../startup.ts';

async function main(): Promise<void> {
  let config: GameConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, EXIT_CONFIG);
    throw error;
  }
  // One server per data dir; the lock also writes data/server.pid (server/pid_file.ts).
  let lock: ReturnType<typeof lockDataDir>;
  try {
    lock = lockDataDir(config.dataDir);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    fail(`a server is already running on ${config.dataDir}${error.pid ? ` (pid ${error.pid})` : ''}; stop it first (npm run stop), or give this one another MUD_DATA_DIR.`, EXIT_DATA_DIR_IN_USE);
  }
  // Made (self-signed) or read here, before the game starts: the game reads the same files.
  let certificates: Certificates | null;
  try {
    certificates = Certificates.open(config.reach, config.dataDir, config.serverName);
  } catch (error) {
    if (!(error instanceof CertificateError)) throw error;
    lock.release();
    fail(error.message, EXIT_CONFIG);
  }
  const startedAt = new Date();
  const log = portalLogger(config.logDir);
  // Connections are refused by the per-address limits here, where the sockets are; the portal
  // has no audit trail of its own, so those refusals are lines of its log.
  const limits = new SessionLimits(config.limits, { emit: (event) => log.warn(describe(event)?.message ?? event.event_type) });
  const sessions = new PortalSessions(limits);
  let stopping: Promise<void> | null = null;
  let exitCode = 0;

  const supervisor = new GameSupervisor({
    sessions,
    log: (level, message) => log[level](message),
    stopRequested: (reason) => void stop(reason),
  });
  const frontEndPorts: FrontEndPorts = { config, sessions, log: { server: log, portal: log }, startedAt };
  const listeners = telnetListeners(certificates);
  const telnet = listeners.telnet(frontEndPorts);
  const tlsTelnet = listeners.tls?.(frontEndPorts) ?? null;
  // The webclient's and /ws's sessions live here, like telnet's (https with MUD_WEB_TLS, on the
  // portal's certificate, which SIGHUP re-reads); what needs the game is passed to it.
  const webTls = config.reach.webTls ? certificates : null;
  const gameWeb = gameWebSocketPath(config.dataDir);
  const web = config.webEnabled
    ? createWebFrontEnd({
        certificates: webTls,
        mounts: (ports, limits) => [
          // The mudstandards.org /ws endpoint's sessions live here too, on the same table.
          mudWebSockets(ports, webSocketLimits(limits)),
          gameWebMount({
            config,
            sessions,
            counters: supervisor.counters,
            startedAt,
            target: () => (supervisor.serving ? gameWeb : null),
            state: () => supervisor.state,
          }),
        ],
      })(frontEndPorts)
    : null;
  let control: net.Server | null = null;

  const stop = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info(`Stopping: ${reason}`);
      await supervisor.stop(reason);
      sessions.closeAll(`The server is shutting down (${reason}).`, 'server shutdown');
      await Promise.allSettled([telnet.close(), tlsTelnet?.close(), web?.close(), new Promise((resolve) => (control ? control.close(resolve) : resolve(null)))]);
      lock.release();
      log.info('Stopped');
      await log.flush();
      process.exit(exitCode);
    })());

  const reload = (via: 'npm run reload' | 'SIGUSR2') => supervisor.reload({ by: null, via, requestedAt: Date.now() });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGUSR2', () => void reload('SIGUSR2'));
  process.on('uncaughtException', (error) => {
    process.stderr.write(`fatal: ${error.stack ?? error.message}\n`);
    log.error(`Uncaught exception in the portal, stopping: ${error.stack ?? error.message}`);
    exitCode = 1;
    void stop('uncaught exception');
  });

  try {
    await supervisor.boot();
  } catch (error) {
    exitCode = 1;
    process.stderr.write(`error: the game did not start: ${(error as Error).message}\n`);
    return stop('start-up failed');
  }
  try {
    const telnetPort = await telnet.listen();
    process.stdout.write(`Telnet listening on ${config.host}:${telnetPort} (telnet localhost ${telnetPort})\n`);
    if (tlsTelnet) {
      const tlsPort = await tlsTelnet.listen();
      process.stdout.write(`Telnet over TLS listening on ${config.host}:${tlsPort} (openssl s_client -connect localhost:${tlsPort})\n`);
    }
    if (web) {
      const webPort = await web.listen();
      process.stdout.write(`Web client on ${webScheme(webTls)}://${browsable(config.host)}:${webPort}/ (listening on ${config.host}:${webPort})\n`);
    }
    control = await serveControl(config.dataDir, (request) => answer(request));
  } catch (error) {
    const refused = listenError(config.host, error as NodeJS.ErrnoException);
    process.stderr.write(`error: ${refused.message}\n`);
    exitCode = refused.code;
    return stop('start-up failed');
  }
  if (certificates) process.stdout.write(`TLS certificate SHA-256 fingerprint: ${certificates.current.fingerprint}\n`);
  // The telnet TLS port and the web port's https are both served here: one re-read covers them.
  watchCertificates(certificates, log);
  process.stdout.write(
    `${config.serverName} is running (portal pid ${process.pid}, game pid ${supervisor.current?.pid}; data in ${config.dataDir}, logs in ${config.logDir}). Ctrl-C stops it.\n`,
  );

  async function answer(request: ControlRequest): Promise<Record<string, unknown>> {
    switch (request.cmd) {
      case 'status':
        return {
          ok: true,
          up: true,
          pid: process.pid,
          uptime_seconds: Math.floor((Date.now() - startedAt.getTime()) / 1000),
          game: { state: supervisor.state, pid: supervisor.current?.pid ?? null, ...supervisor.counters, last_reload_ms: supervisor.lastReloadMs, last_pause_ms: supervisor.lastPauseMs },
          players: sessions.loggedIn().length,
          connections: sessions.describe(),
          // Asked of the game over the link, waiting at most a second: the portal has no audit trail.
          audit: await supervisor.auditLag(),
        };
      case 'reload':
        return reload('npm run reload');
      case 'stop':
        setImmediate(() => void stop('npm run stop'));
        return { ok: true };
      default:
        return { ok: false, error: `unknown command ${JSON.stringify((request as { cmd?: unknown }).cmd)}` };
    }
  }
}

void main();
