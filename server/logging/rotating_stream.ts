/**
 * RotatingFileStream: a small append-only file Writable with size or daily
 * rotation, built for winston's `transports.Stream`.
 *
 * Design (see also server/logging/README.md):
 *  - Each `write()` chunk is treated as one atomic record (one log line incl.
 *    its newline). A rotation happens only *between* records, so a record is
 *    never split across files, and records are written strictly in order.
 *  - `_writev` batches every record queued while the previous write was in
 *    flight into ONE `fs.writev` on an fd opened with O_APPEND. No sync I/O.
 *  - The plain name (e.g. `command_audit.log`) is always the live file. On
 *    rotation we first finish and close the live fd, then rename it aside
 *    (size: `name.1`, older ones shifted to `name.2` … `name.<keep>`;
 *    daily: `name.YYYY-MM-DD`) and create a fresh file under the plain name.
 *    This is the Python RotatingFileHandler scheme, which `tail -F` follows.
 *  - Failures (open, write, rotate) never throw out of the stream and never
 *    error/destroy it: the error is reported via `onError`, unwritten records
 *    are parked in a bounded in-memory queue, and re-opening is retried with
 *    backoff. While parked, new records are queued behind them (order kept).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';

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

export type LogFileOp = 'open' | 'write' | 'rotate' | 'prune' | 'reopen' | 'buffer' | 'close';

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

/** One record = one log line incl. its newline, as written by one write() call. */
type Rec = Buffer;

/** Thrown inside the stream only; carries the records that were not written. */
class WriteFailure {
  constructor(
    readonly op: LogFileOp,
    readonly cause: unknown,
    readonly remaining: Rec[],
  ) {}
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

const p = {
  open: (file: string, flags: string, mode: number) =>
    new Promise<number>((res, rej) => fs.open(file, flags, mode, (e, fd) => (e ? rej(e) : res(fd)))),
  close: (fd: number) => new Promise<void>((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res()))),
  fstat: (fd: number) => new Promise<fs.Stats>((res, rej) => fs.fstat(fd, (e, st) => (e ? rej(e) : res(st)))),
  fchmod: (fd: number, mode: number) =>
    new Promise<void>((res, rej) => fs.fchmod(fd, mode, (e) => (e ? rej(e) : res()))),
  fsync: (fd: number) => new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res()))),
  writev: (fd: number, bufs: Buffer[]) =>
    new Promise<number>((res, rej) => fs.writev(fd, bufs, (e, n) => (e ? rej(e) : res(n)))),
};

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export class RotatingFileStream extends Writable {
  readonly file: string;
  private readonly dir: string;
  private readonly base: string;
  private readonly rotation: RotationPolicy;
  private readonly fileMode: number;
  private readonly dirMode: number;
  private readonly clock: () => Date;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly maxPendingBytes: number;
  private readonly watchMs: number;
  private corkedThisTurn = false;
  private readonly onErrorCb: (err: LogFileError) => void;
  private readonly onRecoverCb: (info: RecoveryInfo) => void;

  private fd: number | null = null;
  private ino = 0;
  private dev = 0;
  private size = 0;
  /** False for e.g. a symlink to /dev/null: such a target is never rotated. */
  private regular = true;
  /** Daily: day key of the live file's content (null = empty, adopt first record's key). */
  private key: string | null = null;
  /** Size: highest existing `name.N` (N <= keep), or undefined = rescan. */
  private top: number | undefined;
  private lastWatch = 0;
  private rotateBlockedUntil = 0;
  private rotateRetryDelay: number;

  private failed = false;
  private pending: Rec[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private retryDelay: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private lock: Promise<void> = Promise.resolve();

  constructor(opts: RotatingFileStreamOptions) {
    // Strings become Buffers in write() (like fs.WriteStream): byte lengths for
    // rotation are then free and a batch goes out with one writev, no joining.
    super({ decodeStrings: true, defaultEncoding: 'utf8' });
    this.file = path.resolve(opts.file);
    this.dir = path.dirname(this.file);
    this.base = path.basename(this.file);
    this.rotation = opts.rotation;
    this.fileMode = opts.fileMode ?? 0o600;
    this.dirMode = opts.dirMode ?? 0o700;
    this.clock = opts.clock ?? (() => new Date());
    this.retryMs = opts.retryMs ?? 1000;
    this.maxRetryMs = opts.maxRetryMs ?? 30_000;
    this.maxPendingBytes = opts.maxPendingBytes ?? 16 * 1024 * 1024;
    this.watchMs = opts.watchMs ?? 0;
    this.onErrorCb = opts.onError ?? ((e) => console.error(`[logging] ${e.message}`));
    this.onRecoverCb = opts.onRecover ?? (() => {});
    this.retryDelay = this.retryMs;
    this.rotateRetryDelay = this.retryMs;
  }

  /** True while the file is unwritable and records are parked in memory. */
  get failing(): boolean {
    return this.failed;
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
    this.exclusive(async () => {
      try {
        await this.openLive();
      } catch (e) {
        this.enterFailed(new WriteFailure('open', e, []));
      }
    }).then(() => callback());
  }

  override _write(chunk: Rec, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.accept(chunk.length ? [chunk] : [], callback);
  }

  override _writev(
    chunks: Array<{ chunk: Rec; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    const recs: Rec[] = [];
    for (const c of chunks) if (c.chunk.length) recs.push(c.chunk);
    this.accept(recs, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.exclusive(async () => {
      this.clearRetry();
      if (this.failed) await this.retryOnce(true);
      if (this.fd !== null) {
        const fd = this.fd;
        this.fd = null;
        try {
          await p.fsync(fd);
        } catch {
          /* e.g. EINVAL on special files; not fatal */
        }
        try {
          await p.close(fd);
        } catch (e) {
          this.report('close', e);
        }
      }
    }).then(() => callback());
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.clearRetry();
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) fs.close(fd, () => callback(err));
    else callback(err);
  }

  // ---- internals -----------------------------------------------------------

  /** Serialises all file I/O (writes, rotations, retries, final close). */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => {});
    return this.lock;
  }

  private accept(recs: Rec[], callback: () => void): void {
    if (recs.length === 0) return callback();
    if (this.failed) {
      // Outage: park behind the records already waiting, keep order.
      this.park(recs, false);
      return callback();
    }
    this.exclusive(async () => {
      if (this.failed) {
        this.park(recs, false);
        return;
      }
      try {
        await this.writeRecords(recs);
      } catch (e) {
        this.enterFailed(e instanceof WriteFailure ? e : new WriteFailure('write', e, recs));
      }
    }).then(() => callback());
  }

  private report(op: LogFileOp, cause: unknown): void {
    try {
      this.onErrorCb(new LogFileError(this.file, op, cause, this.pending.length, this.dropped));
    } catch {
      /* a throwing error callback must not break logging */
    }
  }

  private park(recs: Rec[], atFront: boolean): void {
    if (recs.length === 0) return;
    let bytes = 0;
    for (const r of recs) bytes += r.length;
    if (atFront) this.pending = recs.concat(this.pending);
    else for (const r of recs) this.pending.push(r);
    this.pendingBytes += bytes;
    if (this.pendingBytes <= this.maxPendingBytes) return;
    let n = 0;
    while (this.pendingBytes > this.maxPendingBytes && n < this.pending.length) {
      this.pendingBytes -= this.pending[n++]!.length;
    }
    this.pending.splice(0, n);
    const first = this.dropped === 0;
    this.dropped += n;
    if (first) this.report('buffer', new Error(`in-memory queue full (${this.maxPendingBytes} bytes); dropping oldest lines`));
  }

  private enterFailed(f: WriteFailure): void {
    this.closeFdQuietly();
    this.failed = true;
    this.park(f.remaining, true);
    this.report(f.op, f.cause);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.writableFinished || this.destroyed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.maxRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.exclusive(() => this.retryOnce(false));
    }, delay);
    this.retryTimer.unref();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Try to reopen and drain the parked records. Runs under the lock. */
  private async retryOnce(final: boolean): Promise<void> {
    if (!this.failed) return;
    let recovered = 0;
    try {
      if (this.fd === null) await this.openLive();
      // New records may be parked while we write; loop until none are left.
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        this.pendingBytes = 0;
        try {
          await this.writeRecords(batch);
          recovered += batch.length;
        } catch (e) {
          const f = e instanceof WriteFailure ? e : new WriteFailure('write', e, batch);
          recovered += batch.length - f.remaining.length;
          this.park(f.remaining, true);
          throw f;
        }
      }
    } catch (e) {
      const f = e instanceof WriteFailure ? e : new WriteFailure('open', e, []);
      this.closeFdQuietly();
      if (final) {
        this.dropped += this.pending.length;
        this.pending = [];
        this.pendingBytes = 0;
        this.report('close', f.cause);
      } else {
        this.report(f.op, f.cause);
        this.scheduleRetry();
      }
      return;
    }
    const droppedLines = this.dropped;
    this.failed = false;
    this.dropped = 0;
    this.retryDelay = this.retryMs;
    try {
      this.onRecoverCb({ file: this.file, recoveredLines: recovered, droppedLines });
    } catch {
      /* ignore */
    }
  }

  private closeFdQuietly(): void {
    if (this.fd !== null) {
      fs.close(this.fd, () => {});
      this.fd = null;
    }
  }

  private async ensureDir(): Promise<void> {
    const created = await fs.promises.mkdir(this.dir, { recursive: true, mode: this.dirMode });
    if (created) {
      // mkdir's mode is filtered by the umask; set it exactly on what we created.
      let d = this.dir;
      for (;;) {
        await fs.promises.chmod(d, this.dirMode);
        if (d === created || path.dirname(d) === d) break;
        d = path.dirname(d);
      }
    }
  }

  /** Opens (creating if needed) the live file. Throws on failure. */
  private async openLive(): Promise<void> {
    let fd: number;
    try {
      fd = await p.open(this.file, 'a', this.fileMode);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      await this.ensureDir();
      fd = await p.open(this.file, 'a', this.fileMode);
    }
    try {
      const st = await p.fstat(fd);
      // Only regular files: never chmod e.g. /dev/null that a log was symlinked to.
      if (st.isFile() && (st.mode & 0o7777) !== this.fileMode) {
        // Not fatal (e.g. EPERM on a file owned by someone else): report, keep logging.
        await p.fchmod(fd, this.fileMode).catch((e: unknown) => this.report('open', e));
      }
      this.fd = fd;
      this.ino = st.ino;
      this.dev = st.dev;
      this.size = st.size;
      this.regular = st.isFile();
      this.lastWatch = Date.now();
      if (this.rotation.kind === 'daily') this.key = st.size > 0 ? utcDay(st.mtime) : null;
    } catch (e) {
      fs.close(fd, () => {});
      throw e;
    }
  }

  /** Reopen if the plain name no longer refers to our fd (deleted/moved by someone else). */
  private async watch(): Promise<void> {
    const now = Date.now();
    if (this.fd === null || now - this.lastWatch < this.watchMs) return;
    this.lastWatch = now;
    let st: fs.Stats | undefined;
    try {
      st = await fs.promises.stat(this.file);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
    }
    if (st && st.ino === this.ino && st.dev === this.dev) return;
    this.report('reopen', new Error(st ? 'file was replaced; reopening' : 'file was removed; recreating'));
    this.closeFdQuietly();
    await this.openLive();
  }

  /** Writes records in order, rotating between records as needed. Throws WriteFailure. */
  private async writeRecords(recs: Rec[]): Promise<void> {
    let i = 0;
    try {
      if (this.fd === null) await this.openLive();
      await this.watch();
    } catch (e) {
      throw new WriteFailure('open', e, recs);
    }
    const rot = this.rotation;
    if (!this.regular) {
      await this.writeRange(recs, 0, recs.length);
    } else if (rot.kind === 'size') {
      const max = rot.maxBytes;
      // Fast path: the whole batch fits (one writev).
      let total = 0;
      for (const r of recs) total += r.length;
      if (this.size + total <= max || (this.size === 0 && recs.length === 1) || Date.now() < this.rotateBlockedUntil) {
        await this.writeRange(recs, 0, recs.length);
        return;
      }
      while (i < recs.length) {
        let j = i;
        let seg = 0;
        while (j < recs.length) {
          const b = recs[j]!.length;
          if (this.size + seg + b > max && this.size + seg > 0 && Date.now() >= this.rotateBlockedUntil) break;
          seg += b;
          j++;
        }
        if (j === i) {
          await this.rotate(recs.slice(i), () => this.rotateSize());
          continue;
        }
        await this.writeRange(recs, i, j);
        i = j;
      }
    } else {
      const keyOf = rot.keyOf;
      const keyFor = (r: Rec): string => {
        const k = keyOf?.(r);
        return k && DAY_RE.test(k) ? k : utcDay(this.clock());
      };
      while (i < recs.length) {
        const k = keyFor(recs[i]!);
        if (this.key === null || this.size === 0) this.key = k;
        else if (k > this.key && Date.now() >= this.rotateBlockedUntil) {
          await this.rotate(recs.slice(i), () => this.rotateDaily(k));
          continue;
        }
        // Extend the segment while records stay in the same (or an older) day.
        const blocked = Date.now() < this.rotateBlockedUntil;
        let j = i + 1;
        while (j < recs.length && (blocked || !(keyFor(recs[j]!) > this.key))) j++;
        await this.writeRange(recs, i, j);
        i = j;
      }
    }
  }

  /**
   * Append recs[i..j) to the live file with writev, continuing after short
   * writes. On failure the unwritten part (at worst the tail of one record)
   * and every later record are handed back for the retry queue.
   */
  private async writeRange(recs: Rec[], i: number, j: number): Promise<void> {
    let bufs = recs.slice(i, j);
    try {
      while (bufs.length > 0) {
        const n = await p.writev(this.fd!, bufs);
        if (n <= 0) throw new Error('write made no progress');
        this.size += n;
        let k = 0;
        let left = n;
        while (k < bufs.length && left >= bufs[k]!.length) left -= bufs[k++]!.length;
        bufs = bufs.slice(k);
        if (left > 0) bufs[0] = bufs[0]!.subarray(left);
      }
    } catch (e) {
      throw new WriteFailure('write', e, bufs.concat(recs.slice(j)));
    }
  }

  /**
   * Run a rotation. If it fails we report it, keep appending to the live file
   * (over its limit) and retry the rotation later — logging must not stop
   * because e.g. one old rotated file could not be renamed.
   */
  private async rotate(remaining: Rec[], fn: () => Promise<void>): Promise<void> {
    try {
      await this.closeFd();
      await fn();
      this.rotateRetryDelay = this.retryMs;
    } catch (e) {
      this.top = undefined;
      this.report('rotate', e);
      this.rotateBlockedUntil = Date.now() + this.rotateRetryDelay;
      this.rotateRetryDelay = Math.min(this.rotateRetryDelay * 2, this.maxRetryMs);
    }
    if (this.fd === null) {
      try {
        await this.openLive();
      } catch (e) {
        throw new WriteFailure('open', e, remaining);
      }
    }
  }

  private async closeFd(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    await p.close(fd);
  }

  private async scanTop(keep: number): Promise<number> {
    const names = await fs.promises.readdir(this.dir);
    let top = 0;
    const prefix = this.base + '.';
    for (const n of names) {
      if (!n.startsWith(prefix)) continue;
      const rest = n.slice(prefix.length);
      if (!/^[1-9]\d*$/.test(rest)) continue;
      const k = Number(rest);
      if (k <= keep && k > top) top = k;
    }
    return top;
  }

  private async rotateSize(): Promise<void> {
    const rot = this.rotation as { kind: 'size'; keep: number };
    const keep = Math.max(0, Math.floor(rot.keep));
    if (keep === 0) {
      await ignoreEnoent(fs.promises.unlink(this.file));
    } else {
      let top = this.top ?? (await this.scanTop(keep));
      if (top >= keep) {
        await ignoreEnoent(fs.promises.unlink(`${this.file}.${keep}`));
        top = keep - 1;
      }
      for (let k = top; k >= 1; k--) {
        await ignoreEnoent(fs.promises.rename(`${this.file}.${k}`, `${this.file}.${k + 1}`));
      }
      await ignoreEnoent(fs.promises.rename(this.file, `${this.file}.1`));
      this.top = top + 1;
    }
    await this.openLive();
  }

  private async rotateDaily(newKey: string): Promise<void> {
    const rot = this.rotation as { kind: 'daily'; keep: number };
    const oldKey = this.key ?? newKey;
    let target = `${this.file}.${oldKey}`;
    // Never overwrite an existing rotated file (e.g. after a clock step).
    for (let n = 1; await exists(target); n++) target = `${this.file}.${oldKey}.${n}`;
    await ignoreEnoent(fs.promises.rename(this.file, target));
    await this.openLive();
    this.key = newKey;
    try {
      await this.pruneDaily(Math.max(0, Math.floor(rot.keep)));
    } catch (e) {
      this.report('prune', e);
    }
  }

  private async pruneDaily(keep: number): Promise<void> {
    const names = await fs.promises.readdir(this.dir);
    const prefix = this.base + '.';
    const rotated = names
      .filter((n) => n.startsWith(prefix) && /^\d{4}-\d{2}-\d{2}(\.\d+)?$/.test(n.slice(prefix.length)))
      .map((n) => {
        const [day, suffix] = [n.slice(prefix.length, prefix.length + 10), n.slice(prefix.length + 11)];
        return { n, day, s: suffix ? Number(suffix) : 0 };
      })
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.s - b.s));
    for (const r of rotated.slice(0, Math.max(0, rotated.length - keep))) {
      await ignoreEnoent(fs.promises.unlink(path.join(this.dir, r.n)));
    }
  }
}

async function ignoreEnoent(pr: Promise<unknown>): Promise<void> {
  try {
    await pr;
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
}

async function exists(f: string): Promise<boolean> {
  try {
    await fs.promises.lstat(f);
    return true;
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
}
