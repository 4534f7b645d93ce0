/**
 * The append-only writer of `logs/audit/audit.jsonl`, rotated daily (UTC day of the events) and
 * by size into `audit-YYYY-MM-DD[.N].jsonl` (see jsonl_files.ts).
 *
 * The file work is the AppendFile engine's (server/logging/append_file.ts), shared with the text
 * logs: `append()` only queues (no I/O on the caller's path); everything queued in one event-loop
 * turn goes out in one `fs.writev` on an O_APPEND fd; rotation happens only between records,
 * after the old file is closed (`tail -F audit.jsonl` follows it); a failure keeps the records
 * queued in order and retries with backoff. This trail's own policies:
 *
 *  - rotation by the day *and* the size, into names that never overwrite (jsonl_files.ts);
 *  - no overflow: a hash chain must never lose a record from its middle, so nothing is dropped
 *    (the caller bounds it: it stops chaining new records while the backlog is full);
 *  - a record cut short by a failure is written again whole after a newline, so the stump stays
 *    a line of its own that audit-verify recognises and skips;
 *  - a write failure is reported once per outage, not at every retry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppendFile, type RotationScheme } from '../logging/append_file.ts';
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

/** By the UTC day of the records, and by size; rotated names never overwrite. */
function trailRotation(dir: string, maxBytes: number, onRotate: () => void): RotationScheme {
  return {
    due: (size, day, rec) => (day !== null && rec.key !== undefined && rec.key > day) || size + rec.buf.length > maxBytes,
    keyOnOpen: (_st, known) => known,
    moveAside: async (file, day) => {
      await fs.promises.rename(file, freeRotatedName(dir, day ?? new Date().toISOString().slice(0, 10)));
      onRotate();
    },
  };
}

export class JsonlWriter {
  readonly file: string;
  private readonly engine: AppendFile;
  private scheduled = false;
  private closing = false;
  private lastError: string | null = null;
  private lastErrorAt: string | null = null;

  constructor(private readonly opts: JsonlWriterOptions) {
    this.file = path.join(opts.dir, LIVE_FILE);
    const retryMs = opts.retryMs ?? 1000;
    this.engine = new AppendFile({
      file: this.file,
      rotation: trailRotation(opts.dir, opts.maxBytes, () => opts.onRotate?.()),
      // A checkpoint may be signed over a rotated file's records next: they must be on the disk.
      syncOnRotate: true,
      fileMode: opts.fileMode,
      dirMode: opts.dirMode,
      liveKey: opts.liveDay,
      retryMs,
      maxRetryMs: 30_000,
      // A rotation that failed is tried again in a minute.
      rotateRetryMs: 60_000,
      rotateRetryMaxMs: 60_000,
      maxPendingBytes: Infinity,
      // At most once a second: is the live name still our file? (Deleted or moved aside by hand.)
      watchMs: 1000,
      torn: 'rewrite',
      onError: (op, cause, again) => this.fail(cause, op === 'open' ? 'write' : op === 'reopen' ? 'watch' : op, again),
      onRecover: () => {
        if (this.closing) return;
        try {
          this.opts.onRecover(`audit trail ${this.file} is writable again`);
        } catch {
          // ignore
        }
      },
    });
  }

  /** Queues one line (without its newline) for the file of `day`. Never blocks; false once closed. */
  append(line: string, day: string): boolean {
    if (!this.engine.append([{ buf: Buffer.from(`${line}\n`), key: day }])) return false;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.engine.pump();
      });
    }
    return true;
  }

  get backlog(): number {
    return this.engine.counts.queued;
  }

  get backlogBytes(): number {
    return this.engine.counts.queuedBytes;
  }

  stats(): JsonlWriterStats {
    const { written, queued, queuedBytes, batches, rotations } = this.engine.counts;
    return {
      written,
      queued,
      queuedBytes,
      batches,
      rotations,
      failing: this.engine.failing,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
    };
  }

  /** Resolves when every record appended before the call is in the file (or the file is failing). */
  flush(): Promise<void> {
    return this.engine.flush();
  }

  /** fdatasync of the live file: what is written so far survives a power cut (before a checkpoint). */
  sync(): Promise<void> {
    return this.engine.sync();
  }

  /** Writes what is queued (one last try if failing), syncs and closes. Returns the records lost. */
  async close(): Promise<number> {
    if (this.closing) return 0;
    this.closing = true;
    const lost = await this.engine.close();
    if (lost) this.fail(new Error(`${lost} record(s) could not be written before close`), 'close', false);
    return lost;
  }

  private fail(error: unknown, op: string, again: boolean): void {
    const message = `audit trail ${this.file}: ${op} failed: ${(error as Error)?.message ?? String(error)}`;
    this.lastError = message;
    this.lastErrorAt = new Date().toISOString();
    // Once per outage: retries while failing stay quiet; rotation, watch and close always speak.
    if (again) return;
    const held = this.engine.counts.queued;
    try {
      this.opts.onError(`${message}${held && !this.closing ? ` (${held} record(s) held in memory; will retry)` : ''}`);
    } catch {
      // a failing reporter must not stop the trail
    }
  }
}
