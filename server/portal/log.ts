/**
 * The portal's own log: reloads, crashes and stops, and its front ends' complaints. It goes to
 * `logs/portal_process.log` (the game's audit worker owns every other file in the log dir, so the
 * portal never writes to one of those) and to stderr for warnings and errors, where systemd's
 * journal or the terminal picks them up.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GameLogger } from '../logging/index.ts';
import { escapeForLog } from '../text.ts';

export interface PortalLogger extends GameLogger {
  flush(): Promise<void>;
}

export function portalLogger(logDir: string): PortalLogger {
  fs.mkdirSync(logDir, { recursive: true });
  const stream = fs.createWriteStream(path.join(logDir, 'portal_process.log'), { flags: 'a' });
  stream.on('error', (error) => process.stderr.write(`portal: cannot write its log: ${error.message}\n`));
  const write = (level: 'INFO' | 'WARN' | 'ERROR', message: string, atMs?: number) => {
    const line = `${new Date(atMs ?? Date.now()).toISOString()} | mud.portal | ${level} | ${escapeForLog(message)}\n`;
    stream.write(line);
    if (level !== 'INFO') process.stderr.write(`portal: ${line}`);
  };
  return {
    info: (message, atMs) => write('INFO', message, atMs),
    warn: (message, atMs) => write('WARN', message, atMs),
    error: (message, atMs) => write('ERROR', message, atMs),
    flush: () => new Promise((resolve) => stream.write('', () => resolve())),
  };
}
