/**
 * RotatingFileStream: an append-only file Writable with size or daily rotation, built for
 * winston's `transports.Stream`; the file work is the AppendFile engine's (append_file.ts,
 * shared with the JSONL audit trail), the names are log_rotation.ts's.
 *
 *  - Each `write()` chunk is one atomic record (one log line incl. its newline). A rotation
 *    happens only *between* records, so a record is never split across files, and records are
 *    written strictly in order.
 *  - `_writev` hands every record queued while the previous write was in flight to the engine,
 *    which writes them in ONE `fs.writev` on an O_APPEND fd. No sync I/O.
 *  - Failures (open, write, rotate) never throw out of the stream and never error/destroy it:
 *    the error is reported via `onError`, unwritten records are parked in a bounded in-memory
 *    queue (the oldest dropped and counted beyond `maxPendingBytes`), and re-opening is retried
 *    with backoff. While parked, new records are queued behind them (order kept).
 */
import { Writable } from 'node:stream';
import { AppendFile, type AppendOp, type AppendRecord } from './append_file.ts';
import { dailyRotation, sizeRotation, utcDay } from './log_rotation.ts';

export { utcDay };

export type RotationPolicy =
  | { kind: 'size'; maxBytes: number; keep: number }
  | {
      kind: 'daily';
      keep: number;
      /**
       * Day key (`YYYY-MM-DD`) of a record. Default: the UTC date of `clock()`
       * at write time. The game logs pass "first 10 bytes of the line" so a
       * line always lands in the file of the date printed in it.
       */
      keyOf?: (record: Buffer) => string | undefined;
    };

export type LogFileOp = AppendOp;

/** Reported through `onError`; the stream itself keeps going. */
export class LogFileError extends Error {
  constructor(
    readonly file: string,
    readonly op: LogFileOp,
    override readonly cause: unknown,
    /** Records currently parked in memory waiting for the file to come back. */
    readonly pendingLines: number,
    /** Records dropped so far in this outage because the parking queue was full. */
    readonly droppedLines: number,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `log file ${file}: ${op} failed: ${why}` +
        (pendingLines || droppedLines
          ? ` (${pendingLines} line(s) held in memory, ${droppedLines} dropped${op === 'close' ? '' : '; will retry'})`
          : ''),
    );
    this.name = 'LogFileError';
  }
}

export interface RecoveryInfo {
  file: string;
  /** Lines written out of the in-memory queue after recovery. */
  recoveredLines: number;
  /** Lines lost during the outage (queue overflow or final close failure). */
  droppedLines: number;
}

export interface RotatingFileStreamOptions {
  /** Path of the live file (the plain name). */
  file: string;
  rotation: RotationPolicy;
  /** Mode of the log file; enforced with fchmod on every open. Default 0o600. */
  fileMode?: number;
  /** Mode of directories we create (existing dirs are left alone). Default 0o700. */
  dirMode?: number;
  /** Clock for daily rotation when `keyOf` is not given. Default `() => new Date()`. */
  clock?: () => Date;
  /** First retry delay after a failure (ms); doubles up to `maxRetryMs`. Default 1000. */
  retryMs?: number;
  /** Default 30000. */
  maxRetryMs?: number;
  /** Upper bound for records parked during an outage; oldest are dropped beyond it. Default 16 MiB. */
  maxPendingBytes?: number;
  /**
   * Before a batch, check (stat) that the plain name still refers to our open
   * file, at most once per `watchMs` (0 = before every batch). Catches the log
   * file/dir being deleted or moved by someone else. Default 0: the cost is one
   * stat per batch, and batches grow under load.
   */
  watchMs?: number;
  onError?: (err: LogFileError) => void;
  onRecover?: (info: RecoveryInfo) => void;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export class RotatingFileStream extends Writable {
  readonly file: string;
  private readonly engine: AppendFile;
  private readonly keyOf: (record: Buffer) => string | undefined;
  private corkedThisTurn = false;

  constructor(opts: RotatingFileStreamOptions) {
    // Strings become Buffers in write() (like fs.WriteStream): byte lengths for
    // rotation are then free and a batch goes out with one writev, no joining.
    super({ decodeStrings: true, defaultEncoding: 'utf8' });
    const rotation = opts.rotation;
    const clock = opts.clock ?? (() => new Date());
    if (rotation.kind === 'daily') {
      const keyOf = rotation.keyOf;
      this.keyOf = (r) => {
        const k = keyOf?.(r);
        return k && DAY_RE.test(k) ? k : utcDay(clock());
      };
    } else {
      this.keyOf = () => undefined;
    }
    const onError = opts.onError ?? ((e) => console.error(`[logging] ${e.message}`));
    const onRecover = opts.onRecover ?? (() => {});
    const retryMs = opts.retryMs ?? 1000;
    const maxRetryMs = opts.maxRetryMs ?? 30_000;
    this.engine = new AppendFile({
      file: opts.file,
      rotation: rotation.kind === 'size' ? sizeRotation(rotation.maxBytes, rotation.keep) : dailyRotation(rotation.keep),
      fileMode: opts.fileMode ?? 0o600,
      dirMode: opts.dirMode ?? 0o700,
      retryMs,
      maxRetryMs,
      rotateRetryMs: retryMs,
      rotateRetryMaxMs: maxRetryMs,
      maxPendingBytes: opts.maxPendingBytes ?? 16 * 1024 * 1024,
      watchMs: opts.watchMs ?? 0,
      // A log line cut short by a failed write is finished where it stopped.
      torn: 'finish',
      onError: (op, cause) => onError(new LogFileError(this.file, op, cause, this.engine.counts.queued, this.engine.counts.dropped)),
      onRecover: (recoveredLines, droppedLines) => onRecover({ file: this.file, recoveredLines, droppedLines }),
    });
    this.file = this.engine.file;
  }

  /** True while the file is unwritable and records are parked in memory. */
  get failing(): boolean {
    return this.engine.failing;
  }

  /**
   * Resolves once every record written before this call has been handed to
   * the OS (or, during an outage, parked in the retry queue). Resolves
   * immediately if the stream has already finished.
   */
  flush(): Promise<void> {
    if (this.writableFinished || this.destroyed) return Promise.resolve();
    if (this.writableEnded) {
      return new Promise((res) => {
        this.once('finish', res);
        this.once('close', res);
      });
    }
    // A zero-length record is a no-op in _writev; its callback runs after all
    // earlier records' batches completed (Writable preserves order).
    return new Promise((res) => this.write('', () => res()));
  }

  /** Ends the stream and resolves after the fd is closed (all records written). */
  closeAndWait(): Promise<void> {
    return new Promise((res) => {
      if (this.writableFinished || this.destroyed) return res();
      const done = () => res();
      this.once('finish', done);
      this.once('close', done);
      if (!this.writableEnded) this.end();
    });
  }

  /**
   * Lines written in one event-loop turn reach the file as one writev: the first write of a
   * turn corks the stream and the turn's end uncorks it. Without this the first line of every
   * turn went out alone (one fs call per log per command when players take turns).
   */
  override write(chunk: unknown, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean {
    if (!this.corkedThisTurn && !this.writableEnded) {
      this.corkedThisTurn = true;
      this.cork();
      setImmediate(() => {
        this.corkedThisTurn = false;
        this.uncork();
      });
    }
    return super.write(chunk, encoding as BufferEncoding, callback);
  }

  // ---- Writable implementation -------------------------------------------

  override _construct(callback: (error?: Error | null) => void): void {
    // The live file exists from the start (an operator can `tail -F` it before the first line).
    void this.engine.open().then(() => callback());
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.accept(chunk.length ? [{ buf: chunk, key: this.keyOf(chunk) }] : [], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    const recs: AppendRecord[] = [];
    for (const c of chunks) if (c.chunk.length) recs.push({ buf: c.chunk, key: this.keyOf(c.chunk) });
    this.accept(recs, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    void this.engine.close().then(() => callback());
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.engine.destroy(() => callback(err));
  }

  /** The callback runs once the records are in the file, or parked during an outage. */
  private accept(recs: AppendRecord[], callback: () => void): void {
    if (recs.length === 0) return callback();
    this.engine.append(recs);
    this.engine.pump();
    void this.engine.flush().then(() => callback());
  }
}
