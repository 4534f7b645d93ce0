/**
 * Line format: `YYYY-MM-DD HH:MM:SS | <logger> | <LEVEL> | <message>`.
 *
 * Timestamps are UTC (not local time): unambiguous across DST changes and
 * hosts, and they match the UTC dates used to name daily-rotated files.
 */

export type LogLevel = 'info' | 'warn' | 'error';

export const LEVEL_LABEL: Readonly<Record<LogLevel, string>> = { info: 'INFO', warn: 'WARN', error: 'ERROR' };

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatTimestamp(d: Date): string {
  const iso = d.toISOString(); // 2026-11-23T18:30:15.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * Returns a timestamp function that reformats at most once per second.
 * Takes epoch milliseconds (`Date.now` by default: no Date per line).
 */
export function cachedTimestamper(nowMs: () => number = Date.now): () => string {
  let lastSec = Number.NaN;
  let last = '';
  return () => {
    const ms = nowMs();
    const sec = Math.floor(ms / 1000);
    if (sec !== lastSec) {
      lastSec = sec;
      last = formatTimestamp(new Date(ms));
    }
    return last;
  };
}

/**
 * Callers pass already-escaped one-line messages; this is the last line of
 * defence so that one record is always exactly one line.
 */
export function oneLine(msg: string): string {
  return msg.indexOf('\n') < 0 && msg.indexOf('\r') < 0 ? msg : msg.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

export function formatLine(timestamp: string, logger: string, level: LogLevel, message: string): string {
  return `${timestamp} | ${logger} | ${LEVEL_LABEL[level] ?? String(level).toUpperCase()} | ${oneLine(message)}`;
}

/**
 * One line as its log's layout has it (`standard`, or chat's IRC style `YYYY-MM-DD HH:MM:SS
 * message`: with the date, since the file rotates by size and may span many days).
 */
export function renderLine(layout: 'standard' | 'irc', timestamp: string, logger: string, level: LogLevel, message: string): string {
  return layout === 'irc' ? `${timestamp} ${oneLine(message)}` : formatLine(timestamp, logger, level, message);
}
