/**
 * What both entry points (server/main.ts, one process; server/portal/main.ts, the portal) say
 * and exit with when they cannot start, so that scripts and people read the two alike.
 */

/** A bad setting (the message names it). */
export const EXIT_CONFIG = 2;
/** A port is taken or needs privileges. */
export const EXIT_PORT_IN_USE = 3;
/** Another server runs on this data dir. */
export const EXIT_DATA_DIR_IN_USE = 4;

/** One `error: …` line on stderr, then exit with `code`. */
export function fail(message: string, code: number): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** 0.0.0.0 / :: listen everywhere; a browser on this machine reaches them as localhost. */
export function browsable(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** A listener that would not open, as a line a person can act on, and the exit code that goes with it. */
export function listenError(host: string, error: NodeJS.ErrnoException & { port?: number }): { message: string; code: number } {
  if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') return { message: `cannot start: ${error.message}`, code: 1 };
  const what = error.code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this process does not have';
  return {
    message: `cannot listen on ${host}:${error.port ?? '?'}: the port ${what}. Set MUD_TELNET_PORT / MUD_TLS_PORT / MUD_WEB_PORT to free ports.`,
    code: EXIT_PORT_IN_USE,
  };
}
