/**
 * openLogs(): one winston logger per game log, each writing through
 * `winston.transports.Stream` into its own RotatingFileStream.
 *
 * No globals: every GameLogs owns its winston loggers and streams (winston's
 * default logger / container are never touched), so several can coexist.
 */
import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { LOG_SPECS, LOGGER_NAMES, type LogConfig, type LoggerName } from './config.ts';
import { cachedTimestamper, formatTimestamp, renderLine, type LogLevel } from './format.ts';
import { LogFileError, RotatingFileStream, type RecoveryInfo } from './rotating_stream.ts';

// triple-beam's symbols (registered symbols, so no direct dependency needed).
const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');

export interface GameLogger {
  /** `atMs`: when it happened (an audit event's time), if not now. */
  info(msg: string, atMs?: number): void;
  warn(msg: string, atMs?: number): void;
  error(msg: string, atMs?: number): void;
}

export interface GameLogs {
  get(name: LoggerName): GameLogger;
  /** Absolute path of a log's live file (whether or not it is enabled). */
  fileOf(name: LoggerName): string;
  /**
   * Resolves once every line logged before the call has been written to its
   * file (or, if that file is currently failing, parked for retry).
   */
  flush(): Promise<void>;
  /** The live files that cannot be written just now (their lines wait in memory for a retry). */
  failing(): string[];
  /**
   * Stops accepting lines, writes everything logged before the call, closes
   * the files. Idempotent. Lines logged after close() are silently dropped.
   */
  close(): Promise<void>;
}

export interface OpenLogsOptions {
  /** Clock for timestamps and daily rotation (tests inject one). Default: real time. */
  clock?: () => Date;
  /** Write/rotate/open failures. Default: one line on stderr per failure. */
  onError?: (err: LogFileError) => void;
  /** A failing file became writable again. */
  onRecover?: (info: RecoveryInfo) => void;
  /** First retry delay after a failure, ms (doubles up to `maxRetryMs`). Default 1000. */
  retryMs?: number;
  /** Default 30000. */
  maxRetryMs?: number;
  /** Max bytes parked in memory per file during an outage. Default 16 MiB. */
  maxPendingBytes?: number;
  /** Min ms between "is the live file still ours?" checks. Default 0 (every batch). */
  watchMs?: number;
}

const NOOP: GameLogger = Object.freeze({ info() {}, warn() {}, error() {} });

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2 };

interface Entry {
  name: LoggerName;
  logger: winston.Logger;
  stream: RotatingFileStream;
  facade: GameLogger;
}

/**
 * The repo ships `logs/` (a placeholder), so "created 0700" alone would leave the default
 * directory 0755 on a fresh clone: an existing directory is set to `dirMode` too, because the
 * logs hold what players typed. Synchronous, once, at start-up.
 */
function tightenDirectory(dir: string, mode: number, onError: (e: LogFileError) => void): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode });
    if ((fs.statSync(dir).mode & 0o777) !== mode) fs.chmodSync(dir, mode);
  } catch (cause) {
    onError(new LogFileError(dir, 'open', cause, 0, 0));
  }
}

export function openLogs(config: LogConfig, options: OpenLogsOptions = {}): GameLogs {
  const injected = options.clock;
  const clock = injected ?? (() => new Date());
  const timestamp = cachedTimestamper(injected ? () => injected().getTime() : Date.now);
  const dir = path.resolve(config.dir);
  const onError = options.onError ?? ((e: LogFileError) => console.error(`[logging] ${e.message}`));
  tightenDirectory(dir, config.dirMode, onError);
  const entries = new Map<LoggerName, Entry>();
  let closed = false;
  let closing: Promise<void> | undefined;

  for (const name of LOGGER_NAMES) {
    const spec = LOG_SPECS[name];
    if (!config.enabled[spec.switch]) continue;

    const stream = new RotatingFileStream({
      file: path.join(dir, spec.file),
      rotation:
        spec.rotation === 'size'
          ? { kind: 'size', maxBytes: config.auditMaxBytes, keep: config.auditKeep }
          : // The line starts with its UTC date: rotate exactly on it.
            { kind: 'daily', keep: config.dailyKeep, keyOf: (line) => line.toString('latin1', 0, 10) },
      fileMode: config.fileMode,
      dirMode: config.dirMode,
      clock,
      retryMs: options.retryMs,
      maxRetryMs: options.maxRetryMs,
      maxPendingBytes: options.maxPendingBytes,
      watchMs: options.watchMs,
      onError,
      onRecover: (info) => {
        if (info.droppedLines > 0) {
          entry.facade.warn(`LOGGING: ${info.droppedLines} line(s) were lost while ${info.file} was unwritable`);
        }
        options.onRecover?.(info);
      },
    });

    const lineFormat = winston.format((info) => {
      const message = String(info.message);
      // An audit event's line carries the event's time, not the time a lagging sink wrote it.
      const at = typeof info.at === 'number' ? formatTimestamp(new Date(info.at)) : timestamp();
      info[MESSAGE] = renderLine(spec.layout, at, name, info.level as LogLevel, message);
      return info;
    })();

    const transports: winston.transport[] = [new winston.transports.Stream({ stream, eol: '\n' })];
    if (config.console) transports.push(new winston.transports.Console({ stderrLevels: ['error', 'warn'], eol: '\n' }));

    const logger = winston.createLogger({
      levels: LEVELS,
      level: 'info',
      format: lineFormat,
      transports,
      exitOnError: false,
    });
    // Never let an 'error' event go unhandled (that would crash the process).
    logger.on('error', (e: unknown) => console.error(`[logging] ${name}: winston error: ${String(e)}`));

    const emit = (level: LogLevel) => (msg: string, at?: number) => {
      if (closed) return;
      try {
        logger.write({ level, message: msg, at, [LEVEL]: level });
      } catch (e) {
        console.error(`[logging] ${name}: ${String(e)}`);
      }
    };
    const entry: Entry = { name, logger, stream, facade: { info: emit('info'), warn: emit('warn'), error: emit('error') } };
    entries.set(name, entry);
  }

  return {
    get(name) {
      return entries.get(name)?.facade ?? NOOP;
    },
    fileOf(name) {
      return path.join(dir, LOG_SPECS[name].file);
    },
    async flush() {
      await Promise.all([...entries.values()].map(async (e) => {
        await drainWinston(e.logger);
        await e.stream.flush();
      }));
    },
    failing() {
      return [...entries.values()].filter((e) => e.stream.failing).map((e) => e.stream.file);
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await Promise.all([...entries.values()].map(closeEntry));
      })();
      return closing;
    },
  };
}

/**
 * Close order matters. winston's Logger 'finish' only means the *transports*
 * finished, and the Stream transport never ends (or waits for) the stream it
 * writes to — so after it we end our RotatingFileStream ourselves and wait
 * for its 'finish', which comes after its _final has written every queued
 * line, fsynced and closed the fd.
 */
async function closeEntry(e: Entry): Promise<void> {
  await drainWinston(e.logger);
  await new Promise<void>((resolve) => {
    if (e.logger.writableFinished) return resolve();
    e.logger.once('finish', () => resolve());
    e.logger.end();
  });
  await e.stream.closeAndWait();
}

/**
 * Wait until winston has handed every info object to its transports, i.e.
 * our stream's write() has been called for each line. Normally this is
 * synchronous already; the loop is bounded so a wedged pipe cannot hang close().
 */
async function drainWinston(logger: winston.Logger): Promise<void> {
  const busy = () =>
    logger.writableLength > 0 ||
    logger.readableLength > 0 ||
    logger.transports.some((t) => (t as unknown as { writableLength: number }).writableLength > 0);
  for (let i = 0; i < 1000 && busy(); i++) await new Promise((r) => setImmediate(r));
}
