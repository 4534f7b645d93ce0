/** Logging configuration: a plain object with defaults; env wiring lives elsewhere. */

export type LoggerName = 'mud.commands' | 'mud.objects' | 'mud.accounts' | 'mud.server' | 'mud.portal' | 'mud.admin' | 'mud.chat';

export interface LogConfig {
  /** Directory holding all log files (created with `dirMode` if missing). */
  dir: string;
  /** Per-log switches; a disabled log's logger is a shared no-op and its file is not opened. */
  enabled: { commands: boolean; movement: boolean; player: boolean; server: boolean; portal: boolean; admin: boolean; chat: boolean };
  /** Size rotation threshold for the three audit logs (bytes). */
  auditMaxBytes: number;
  /** Rotated audit files kept: name.1 … name.<auditKeep>. */
  auditKeep: number;
  /** Dated files kept for server.log / portal.log (name.YYYY-MM-DD). */
  dailyKeep: number;
  /** Mode of log files, enforced on every open (default 0o600). */
  fileMode: number;
  /** Mode of the log directory, set at start-up whether or not it existed (default 0o700). */
  dirMode: number;
  /** Also mirror every line to stdout (warn/error to stderr). Default false. */
  console?: boolean;
}

export interface LogSpec {
  file: string;
  switch: keyof LogConfig['enabled'];
  rotation: 'size' | 'daily';
  /**
   * `standard`: `YYYY-MM-DD HH:MM:SS | logger | LEVEL | message`;
   * `irc`: `YYYY-MM-DD HH:MM:SS message`, the chat log's IRC style (no logger or level: every
   * line is chat). It rotates by size, so a file spans days and each line carries its date.
   */
  layout: 'standard' | 'irc';
}

/** Which logger goes to which file, and how that file rotates. */
export const LOG_SPECS: Readonly<Record<LoggerName, LogSpec>> = {
  'mud.commands': { file: 'command_audit.log', switch: 'commands', rotation: 'size', layout: 'standard' },
  'mud.objects': { file: 'movement_audit.log', switch: 'movement', rotation: 'size', layout: 'standard' },
  'mud.accounts': { file: 'player_activity.log', switch: 'player', rotation: 'size', layout: 'standard' },
  'mud.server': { file: 'server.log', switch: 'server', rotation: 'daily', layout: 'standard' },
  'mud.portal': { file: 'portal.log', switch: 'portal', rotation: 'daily', layout: 'standard' },
  'mud.admin': { file: 'admin_actions.log', switch: 'admin', rotation: 'size', layout: 'standard' },
  'mud.chat': { file: 'chat.log', switch: 'chat', rotation: 'size', layout: 'irc' },
};

export const LOGGER_NAMES = Object.keys(LOG_SPECS) as LoggerName[];

export function defaultLogConfig(dir = 'logs'): LogConfig {
  return {
    dir,
    enabled: { commands: true, movement: true, player: true, server: true, portal: true, admin: true, chat: true },
    auditMaxBytes: 10 * 1024 * 1024,
    auditKeep: 50,
    dailyKeep: 30,
    fileMode: 0o600,
    dirMode: 0o700,
    console: false,
  };
}
