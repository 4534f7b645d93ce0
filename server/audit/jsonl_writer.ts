/**
 * The append-only writer of `logs/audit/audit.jsonl`, rotated daily (UTC day of the events) and
 * by size into `audit-YYYY-MM-DD[.N].jsonl` (see jsonl_files.ts).
 *
 * Why not server/logging/rotating_stream.ts: it rotates by size *or* by day, names rotated
 * files `name.N` / `name.YYYY-MM-DD`, and drops the oldest lines when its outage buffer is full;
 * a hash chain must never lose a record from its middle. The I/O design is the same, though:
 *
 *  - `append()` only queues (no I/O on the caller's path); everything queued in one event-loop
 *    turn goes out in one `fs.writev` on an O_APPEND fd, and more while a write is in flight.
 *  - Rotation happens only between records, after the old file is closed: close, rename the
 *    live file aside, create a fresh live file. `tail -F audit.jsonl` follows it.
 *  - A failed write keeps every unwritten record queued, in order (bounded by the caller, which
 *    stops chaining new records while the backlog is full), reports once per outage and retries
 *    with backoff. A record cut short by a failure is written again whole after a newline, so
 *    the stump stays a line of its own that audit-verify recognises and skips.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freeRotatedName, LIVE_FILE } from './jsonl_files.ts';

export interface JsonlWriterOptions {
  dir: string;
  maxBytes: number;
  fileMode: number;
  dirMode: number;
  /** UTC day of the live file's content at start-up (null: empty or missing). */
  liveDay: string | null;
  /** First retry delay after a failure; doubles up to 30 s. Default 1000 ms. */
  retryMs?: number;
  /** A write, rotation or close failed (once per outage, then on recovery via onRecover). */
  onError: (message: string) => void;
  onRecover: (message: string) => void;
  /** The live file was renamed aside (the notary checkpoints after the batch). */
  onRotate?: () => void;
}

export interface JsonlWriterStats {
  written: number;
  queued: number;
  queuedBytes: number;
  batches: number;
  rotations: number;
  failing: boolean;
  lastError: string | null;
  lastErrorAt: string | null;
}

interface Rec {
  buf: Buffer;
  day: string;
}

const p = {
  open: (file: string, mode: number) =>
    // a+: appends, and can read the last byte (is the file's last line complete?)
    new Promise<number>((res, rej) => fs.open(file, 'a+', mode, (e, fd) => (e ? rej(e) : res(fd)))),
  close: (fd: number) => new Promise<void>((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res()))),
  fstat: (fd: number) => new Promise<fs.Stats>((res, rej) => fs.fstat(fd, (e, st) => (e ? rej(e) : res(st)))),
  read: (fd: number, buf: Buffer, pos: number) =>
    new Promise<number>((res, rej) => fs.read(fd, buf, 0, buf.length, pos, (e, n) => (e ? rej(e) : res(n)))),
  writev: (fd: number, bufs: Buffer[]) =>
    new Promise<number>((res, rej) => fs.writev(fd, bufs, (e, n) => (e ? rej(e) : res(n)))),
  datasync: (fd: number) => new Promise<void>((res) => fs.fdatasync(fd, () => res())),
};

const NEWLINE = Buffer.from('\n');

export class JsonlWriter {
  readonly file: string;
  private fd: number | null = null;
  private ino = 0;
  private size = 0;
  private day: string | null;
  private queue: Rec[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private scheduled = false;
  private failing = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private rotateBlockedUntil = 0;
  private lastWatch = 0;
  /** Records appended / written so far (flush() waits for written to catch up). */
  private appended = 0;
  private done = 0;
  private waiters: Array<{ target: number; resolve: () => void }> = [];
  private readonly s = { batches: 0, rotations: 0, lastError: null as string | null, lastErrorAt: null as string | null };

  constructor(private readonly opts: JsonlWriterOptions) {
    this.file = path.join(opts.dir, LIVE_FILE);
    this.day = opts.liveDay;
    this.retryDelay = opts.retryMs ?? 1000;
  }

  /** Queues one line (without its newline) for the file of `day`. Never blocks; false once closed. */
  append(line: string, day: string): boolean {
    if (this.closed) return false;
    const buf = Buffer.from(`${line}\n`);
    this.queue.push({ buf, day });
    this.queuedBytes += buf.length;
    this.appended++;
    if (!this.scheduled && !this.pumping && !this.failing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.pump();
      });
    }
    return true;
  }

  get backlog(): number {
    return this.queue.length;
  }

  get backlogBytes(): number {
    return this.queuedBytes;
  }

  stats(): JsonlWriterStats {
    return {
      written: this.done,
      queued: this.queue.length,
      queuedBytes: this.queuedBytes,
      batches: this.s.batches,
      rotations: this.s.rotations,
      failing: this.failing,
      lastError: this.s.lastError,
      lastErrorAt: this.s.lastErrorAt,
    };
  }

  /** Resolves when every record appended before the call is in the file (or the file is failing). */
  flush(): Promise<void> {
    const target = this.appended;
    if (this.done >= target || this.failing || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /** fdatasync of the live file: what is written so far survives a power cut (before a checkpoint). */
  async sync(): Promise<void> {
    if (this.fd !== null) await p.datasync(this.fd);
  }

  /** Writes what is queued (one last try if failing), syncs and closes. Returns the records lost. */
  async close(): Promise<number> {
    if (this.closed) return 0;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.failing = false;
    while (this.pumping) await new Promise((r) => setImmediate(r));
    await this.pump();
    const lost = this.queue.length;
    if (lost) this.fail(new Error(`${lost} record(s) could not be written before close`), 'close');
    this.queue = [];
    this.queuedBytes = 0;
    if (this.fd !== null) {
      const fd = this.fd;
      this.fd = null;
      await p.datasync(fd);
      await p.close(fd).catch((e: unknown) => this.fail(e, 'close'));
    }
    this.wake(true);
    return lost;
  }

  // ---- internals -----------------------------------------------------------------------------

  private wake(all = false): void {
    if (!this.waiters.length) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) (all || this.failing || this.done >= w.target ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  private fail(error: unknown, op: string): void {
    const message = `audit trail ${this.file}: ${op} failed: ${(error as Error)?.message ?? String(error)}`;
    this.s.lastError = message;
    this.s.lastErrorAt = new Date().toISOString();
    // Once per outage (retries while failing stay quiet); rotation, watch and close always.
    if (!this.failing || op !== 'write') {
      try {
        this.opts.onError(`${message}${this.queue.length && !this.closed ? ` (${this.queue.length} record(s) held in memory; will retry)` : ''}`);
      } catch {
        // a failing reporter must not stop the trail
      }
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        if (this.fd === null) await this.openLive();
        await this.watch();
        const { count, bytes } = await this.nextBatch();
        if (count === 0) continue; // rotated; go again
        await this.writeBatch(count);
        this.s.batches++;
        this.done += count;
        this.queuedBytes -= bytes;
        this.wake();
      }
      if (this.s.lastError && this.failing) this.recovered();
    } catch (error) {
      this.closeFdQuietly();
      this.fail(error, 'write');
      if (!this.closed) {
        this.failing = true;
        this.wake();
        this.scheduleRetry();
      }
    } finally {
      this.pumping = false;
    }
  }

  private recovered(): void {
    this.failing = false;
    this.retryDelay = this.opts.retryMs ?? 1000;
    try {
      this.opts.onRecover(`audit trail ${this.file} is writable again`);
    } catch {
      // ignore
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.pump().then(() => {
        if (!this.queue.length && this.failing) this.recovered();
      });
    }, delay);
    this.retryTimer.unref();
  }

  private closeFdQuietly(): void {
    if (this.fd !== null) fs.close(this.fd, () => {});
    this.fd = null;
  }

  /**
   * Opens (creating) the live file. If it does not end with a newline — a record cut short by a
   * crash or a failed write — a newline is added first so the next record starts a line.
   */
  private async openLive(): Promise<void> {
    let fd: number;
    try {
      fd = await p.open(this.file, this.opts.fileMode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await fs.promises.mkdir(this.opts.dir, { recursive: true, mode: this.opts.dirMode });
      await fs.promises.chmod(this.opts.dir, this.opts.dirMode);
      fd = await p.open(this.file, this.opts.fileMode);
    }
    try {
      const st = await p.fstat(fd);
      if (st.isFile() && (st.mode & 0o777) !== this.opts.fileMode) await fs.promises.chmod(this.file, this.opts.fileMode);
      let size = st.size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        await p.read(fd, last, size - 1);
        if (last[0] !== 0x0a) size += await p.writev(fd, [NEWLINE]);
      } else {
        this.day = null;
      }
      this.fd = fd;
      this.ino = st.ino;
      this.size = size;
      this.lastWatch = Date.now();
    } catch (error) {
      fs.close(fd, () => {});
      throw error;
    }
  }

  /** At most once a second: is the live name still our file? (Deleted or moved aside by hand.) */
  private async watch(): Promise<void> {
    const now = Date.now();
    if (now - this.lastWatch < 1000) return;
    this.lastWatch = now;
    let ino = -1;
    try {
      ino = (await fs.promises.stat(this.file)).ino;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (ino === this.ino) return;
    this.fail(new Error(ino < 0 ? 'the live file was removed; recreating it' : 'the live file was replaced; reopening'), 'watch');
    this.closeFdQuietly();
    await this.openLive();
  }

  /**
   * How many queued records go into the live file now; rotates first if the head record
   * belongs to a later day or would overflow the size limit (count 0 = rotated).
   */
  private async nextBatch(): Promise<{ count: number; bytes: number }> {
    const max = this.opts.maxBytes;
    const canRotate = Date.now() >= this.rotateBlockedUntil;
    let size = this.size;
    let day = this.day;
    let count = 0;
    let bytes = 0;
    for (const rec of this.queue) {
      const later = day !== null && rec.day > day;
      if (size > 0 && canRotate && (later || size + rec.buf.length > max)) {
        if (count > 0) break;
        await this.rotate();
        return { count: 0, bytes: 0 };
      }
      if (size === 0 || day === null) day = rec.day;
      size += rec.buf.length;
      bytes += rec.buf.length;
      count++;
      if (count >= 4096) break;
    }
    this.day = day;
    return { count, bytes };
  }

  private async writeBatch(count: number): Promise<void> {
    let bufs = this.queue.slice(0, count).map((r) => r.buf);
    let written = 0;
    try {
      while (bufs.length > 0) {
        const n = await p.writev(this.fd!, bufs);
        if (n <= 0) throw new Error('write made no progress');
        this.size += n;
        let left = n;
        let k = 0;
        while (k < bufs.length && left >= bufs[k]!.length) left -= bufs[k++]!.length;
        written += k;
        bufs = bufs.slice(k);
        if (left > 0) bufs[0] = bufs[0]!.subarray(left);
      }
    } finally {
      // Whole records written leave the queue; a part-written one is written again, whole.
      if (written > 0 && written < count) {
        let bytes = 0;
        for (const r of this.queue.splice(0, written)) bytes += r.buf.length;
        this.queuedBytes -= bytes;
        this.done += written;
        this.wake();
      }
    }
    this.queue.splice(0, count);
  }

  private async rotate(): Promise<void> {
    const day = this.day ?? new Date().toISOString().slice(0, 10);
    try {
      if (this.fd !== null) {
        const fd = this.fd;
        this.fd = null;
        // A checkpoint may be signed over this file's records next: they must be on the disk.
        await p.datasync(fd);
        await p.close(fd);
      }
      await fs.promises.rename(this.file, freeRotatedName(this.opts.dir, day));
      this.s.rotations++;
      this.opts.onRotate?.();
    } catch (error) {
      // Keep appending to the live file over its limit; try rotating again in a minute.
      this.fail(error, 'rotate');
      this.rotateBlockedUntil = Date.now() + 60_000;
    }
    this.day = null;
    await this.openLive();
  }
}
