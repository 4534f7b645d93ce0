/**
 * AppendFile: the append-only file engine under both the text logs (rotating_stream.ts, a
 * Writable under winston) and the hash-chained JSONL trail (server/audit/jsonl_writer.ts).
 *
 *  - Records (one line each, incl. its newline) are queued; `pump()` writes what is queued in
 *    ONE `fs.writev` on an O_APPEND fd, and what arrives while a write is in flight in the next.
 *    No sync I/O; all file work runs one step at a time (`exclusive`).
 *  - The plain name is always the live file. Rotation happens only *between* records, after
 *    the live file is written and closed: the scheme moves it aside, a fresh live file is
 *    created (Python's RotatingFileHandler scheme, which `tail -F` follows). A failed rotation
 *    is reported and the live file keeps growing until a later try (backoff) succeeds.
 *  - A failure (open, write, reopen) never throws: it is reported, the unwritten records stay
 *    queued in order, new ones queue behind them, and reopening is retried with backoff.
 *
 * The two users differ in two policies, passed in: the rotation scheme (when a record starts a
 * new file, and the rotated files' names) and the overflow (`maxPendingBytes`: the logs drop
 * their oldest held lines beyond it and count them; the trail never drops, its caller bounds
 * it). And in one detail of a torn record (`torn`): a log line cut short by a failed write is
 * finished from where it stopped; a trail record is written again whole after a newline that
 * ends the stump, so the stump is a line of its own that audit-verify recognises and skips.
 */
import type fs from 'node:fs';
import path from 'node:path';
import { LiveFile } from './live_file.ts';
import { RecordQueue, type AppendRecord } from './record_queue.ts';

export type { AppendRecord };

export type AppendOp = 'open' | 'write' | 'rotate' | 'prune' | 'reopen' | 'buffer' | 'close';

/** When the live file rotates, and where a rotated file goes. */
export interface RotationScheme {
  /** Must `rec` start a new file? The live file holds `size` (> 0) bytes of records of `key`. */
  due(size: number, key: string | null, rec: AppendRecord): boolean;
  /** Moves the closed live file aside; `key` is its content's (null: unknown). */
  moveAside(file: string, key: string | null): Promise<void>;
  /** After a rotation (the new live file is open): delete what is beyond the keep. */
  prune?(file: string): Promise<void>;
  /** Key of a non-empty live file found on open; `known` is what was known of it before. */
  keyOnOpen(st: fs.Stats, known: string | null): string | null;
}

export interface AppendFileOptions {
  /** Path of the live file (the plain name). */
  file: string;
  rotation: RotationScheme;
  /** Enforced with fchmod on every open (regular files only). */
  fileMode: number;
  /** Mode of directories we create (existing ones are left alone). */
  dirMode: number;
  /** Key of the live file's content at start-up (null: unknown, or empty). */
  liveKey?: string | null;
  /** First retry delay after a failure; doubles up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
  /** fdatasync the live file before it is moved aside (the trail signs checkpoints over it). */
  syncOnRotate?: boolean;
  /** A failed rotation is tried again after this (doubling up to `rotateRetryMaxMs`). */
  rotateRetryMs: number;
  rotateRetryMaxMs: number;
  /** Held records beyond this many bytes during an outage: the oldest are dropped (Infinity: never). */
  maxPendingBytes: number;
  /** Minimum ms between "is the plain name still our file?" checks (0: before every batch). */
  watchMs: number;
  torn: 'finish' | 'rewrite';
  /** `again`: a retry failed the way the outage began (the caller may stay quiet). */
  onError(op: AppendOp, cause: unknown, again: boolean): void;
  onRecover(recovered: number, dropped: number): void;
}

/** Records in one writev at most (the OS takes ~1024 iovecs a call; the rest follows). */
const MAX_BATCH = 4096;

/** Carries the step that failed out of a drain. */
class Failure {
  constructor(readonly op: AppendOp, readonly cause: unknown) {}
}
const asFailure = (op: AppendOp) => (e: unknown) => Promise.reject(e instanceof Failure ? e : new Failure(op, e));

export class AppendFile {
  readonly file: string;
  private readonly live: LiveFile;
  /** The key (day) of the live file's records; null: empty, the next record's key is adopted. */
  private key: string | null;
  private lastWatch = 0;
  private rotateBlockedUntil = 0;
  private rotateRetryDelay: number;

  private readonly queue = new RecordQueue();
  /** Records at the head of the queue handed to the writev in flight (never dropped). */
  private inFlight = 0;
  private pumping = false;
  private failed = false;
  private closing = false;
  private closed = false;
  /** Records lost at close (the last try failed). */
  private lost = 0;
  private dropped = 0;
  private retryDelay: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private lock: Promise<void> = Promise.resolve();

  /** Counted records: appended; written to the file; written or dropped (what flush() waits for). */
  private appended = 0;
  private done = 0;
  private settled = 0;
  private waiters: Array<{ target: number; resolve: () => void }> = [];
  private readonly tally = { batches: 0, rotations: 0 };

  constructor(private readonly opts: AppendFileOptions) {
    this.file = path.resolve(opts.file);
    this.live = new LiveFile(this.file, {
      fileMode: opts.fileMode,
      dirMode: opts.dirMode,
      // A torn record is written again whole: end the stump's line first.
      endTornLine: opts.torn === 'rewrite',
      onWarning: (e) => this.report('open', e, false),
    });
    this.key = opts.liveKey ?? null;
    this.retryDelay = opts.retryMs;
    this.rotateRetryDelay = opts.rotateRetryMs;
  }

  /** True while the file is unwritable and records wait in memory for a retry. */
  get failing(): boolean {
    return this.failed;
  }

  /** Records written so far; held (queued or in flight); dropped in this outage. Writevs, rotations. */
  get counts(): { written: number; queued: number; queuedBytes: number; dropped: number; batches: number; rotations: number } {
    return { written: this.done, queued: this.queue.length, queuedBytes: this.queue.bytes, dropped: this.dropped, ...this.tally };
  }

  /** Opens (creating) the live file now rather than at the first write; a failure starts the retries. */
  open(): Promise<void> {
    return this.exclusive(() => this.openLive().catch((e: unknown) => this.enterFailed(new Failure('open', e), false)));
  }

  /** Queues records; `pump()` writes them. False once closed. */
  append(recs: readonly AppendRecord[]): boolean {
    if (this.closing) return false;
    for (const r of recs) this.queue.push(r);
    this.appended += recs.length;
    if (this.failed) this.trim();
    return true;
  }

  /** Starts writing what is queued (unless a write is in flight or the file is failing: they take it). */
  pump(): void {
    if (this.pumping || this.failed || this.closed || this.queue.length === 0) return;
    this.pumping = true;
    void this.exclusive(() => this.drain(false));
  }

  /** Resolves when every record appended before the call is in the file, or the file is failing. */
  flush(): Promise<void> {
    const target = this.appended;
    if (this.settled >= target || this.failed || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /** fdatasync of the live file, between writes. */
  sync(): Promise<void> {
    return this.exclusive(() => this.live.sync());
  }

  /** Writes what is queued (one last try if failing), syncs and closes. Returns the records lost. */
  close(): Promise<number> {
    this.closing = true;
    return this.exclusive(async () => {
      if (this.closed) return;
      this.clearRetry();
      if (this.queue.length) await this.drain(true);
      this.closed = true;
      await this.live.syncAndClose().catch((e: unknown) => this.report('close', e, false));
      this.wake(true);
    }).then(() => this.lost);
  }

  /** Stops at once (no last write): the stream was destroyed. */
  destroy(done: () => void): void {
    this.closing = true;
    this.closed = true;
    this.clearRetry();
    this.wake(true);
    this.live.closeQuietly(done);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Serialises all file I/O (writes, rotations, retries, the final close). */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    this.lock = this.lock.then(fn).catch(() => {});
    return this.lock;
  }

  private report(op: AppendOp, cause: unknown, again: boolean): void {
    try {
      this.opts.onError(op, cause, again);
    } catch {
      // a throwing error callback must not break the file
    }
  }

  private wake(all = false): void {
    if (!this.waiters.length) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) (all || this.failed || this.settled >= w.target ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  /** Over the overflow cap during an outage: drop the oldest held records (never one in flight). */
  private trim(): void {
    const max = this.opts.maxPendingBytes;
    if (this.queue.bytes <= max) return;
    const n = this.queue.dropOldestAfter(this.inFlight, max);
    if (n === 0) return;
    const first = this.dropped === 0;
    this.dropped += n;
    this.settled += n;
    if (first) this.report('buffer', new Error(`in-memory queue full (${max} bytes); dropping oldest lines`), false);
  }

  /** A step failed: hold the records and retry later, or (the last try, at close) count them lost. */
  private enterFailed(f: Failure, final: boolean): void {
    const again = this.failed && (f.op === 'open' || f.op === 'write');
    this.live.closeQuietly();
    this.inFlight = 0;
    if (final) {
      const n = this.queue.clear();
      this.lost += n;
      this.dropped += n;
      this.settled += n;
      this.report('close', f.cause, false);
    } else {
      this.failed = true;
      this.trim();
      this.report(f.op, f.cause, again);
      this.scheduleRetry();
    }
    this.wake();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.opts.maxRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pumping = true;
      void this.exclusive(() => this.drain(false));
    }, delay);
    this.retryTimer.unref();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Writes the queue out (a retry too: reopens first). Runs under the lock. */
  private async drain(final: boolean): Promise<void> {
    const recovering = this.failed;
    const before = this.done;
    if (this.closed || (this.queue.length === 0 && !recovering)) {
      this.pumping = false;
      return;
    }
    try {
      if (!this.live.isOpen) await this.openLive().catch(asFailure('open'));
      // New records may queue while we write; go on until none are left.
      while (this.queue.length > 0) {
        await this.watch().catch(asFailure('open'));
        const count = await this.nextBatch();
        if (count > 0) await this.writeBatch(count);
      }
    } catch (e) {
      this.enterFailed(e instanceof Failure ? e : new Failure('write', e), final);
      return;
    } finally {
      this.pumping = false;
    }
    if (recovering) {
      const dropped = this.dropped;
      this.failed = false;
      this.dropped = 0;
      this.retryDelay = this.opts.retryMs;
      try {
        this.opts.onRecover(this.done - before, dropped);
      } catch {
        // a throwing callback must not break the file
      }
    }
  }

  private async openLive(): Promise<void> {
    const st = await this.live.open();
    this.lastWatch = Date.now();
    this.key = this.live.size > 0 ? this.opts.rotation.keyOnOpen(st, this.key) : null;
  }

  /** Reopen if the plain name no longer refers to our file (deleted or moved by someone else). */
  private async watch(): Promise<void> {
    const now = Date.now();
    if (!this.live.isOpen || now - this.lastWatch < this.opts.watchMs) return;
    this.lastWatch = now;
    const found = await this.live.check();
    if (found === 'ours') return;
    this.report('reopen', new Error(found === 'replaced' ? 'file was replaced; reopening' : 'file was removed; recreating'), false);
    this.live.closeQuietly();
    await this.openLive();
  }

  /**
   * How many queued records go into the live file now, rotating first if the head record must
   * start a new file (0 = rotated: ask again). Adopts the key of the first record of a file.
   */
  private async nextBatch(): Promise<number> {
    const canRotate = this.live.regular && Date.now() >= this.rotateBlockedUntil;
    let size = this.live.size;
    let key = this.key;
    let count = 0;
    for (let i = 0; i < this.queue.length; i++) {
      const rec = this.queue.at(i);
      if (size > 0 && canRotate && this.opts.rotation.due(size, key, rec)) {
        if (count > 0) break;
        await this.rotate();
        return 0;
      }
      if (size === 0 || key === null) key = rec.key ?? null;
      size += rec.buf.length;
      if (++count >= MAX_BATCH) break;
    }
    this.key = key;
    return count;
  }

  /** Appends the head `count` records with writev, continuing after short writes. */
  private async writeBatch(count: number): Promise<void> {
    this.inFlight = count;
    let bufs = this.queue.bufs(count);
    let whole = 0;
    try {
      while (bufs.length > 0) {
        const n = await this.live.writev(bufs);
        if (n <= 0) throw new Error('write made no progress');
        let k = 0;
        let left = n;
        while (k < bufs.length && left >= bufs[k]!.length) left -= bufs[k++]!.length;
        whole += k;
        bufs = bufs.slice(k);
        if (left > 0) bufs[0] = bufs[0]!.subarray(left);
      }
    } catch (e) {
      // Whole records leave the queue; a torn one is finished later, or written again whole.
      this.dequeue(whole);
      if (this.opts.torn === 'finish' && bufs.length > 0 && bufs[0] !== this.queue.at(0).buf) {
        this.queue.replace(0, { buf: bufs[0]!, key: this.queue.at(0).key });
      }
      throw new Failure('write', e);
    }
    this.dequeue(count);
    this.tally.batches++;
  }

  private dequeue(n: number): void {
    if (n === 0) return;
    this.queue.shift(n);
    this.inFlight = Math.max(0, this.inFlight - n);
    this.done += n;
    this.settled += n;
    this.wake();
  }

  /**
   * Rotates: close, move aside, open a fresh live file. If moving aside fails, report it, keep
   * appending to the live file (over its limit) and try again later: writing must not stop
   * because e.g. one old rotated file could not be renamed.
   */
  private async rotate(): Promise<void> {
    const { rotation } = this.opts;
    let rotated = false;
    try {
      await (this.opts.syncOnRotate ? this.live.syncAndClose() : this.live.close());
      await rotation.moveAside(this.file, this.key);
      this.tally.rotations++;
      rotated = true;
      this.rotateRetryDelay = this.opts.rotateRetryMs;
    } catch (e) {
      this.report('rotate', e, false);
      this.rotateBlockedUntil = Date.now() + this.rotateRetryDelay;
      this.rotateRetryDelay = Math.min(this.rotateRetryDelay * 2, this.opts.rotateRetryMaxMs);
    }
    await this.openLive().catch(asFailure('open'));
    if (rotated && rotation.prune) {
      await rotation.prune(this.file).catch((e: unknown) => this.report('prune', e, false));
    }
  }
}
