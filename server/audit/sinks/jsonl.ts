/**
 * The hash-chained JSONL trail (`logs/audit/audit.jsonl`) as a sink. Its cursor is in the files
 * themselves: the newest complete record's seq and hash (recoverTrailHead), so after a crash the
 * chain continues exactly after the last record that reached the disk. The canonical JSON and
 * the SHA-256 of each record are computed here, on the audit worker, not on the game thread.
 */
import { canonicalJson, chainHash, GENESIS_HASH, recordLine } from '../canonical.ts';
import { acquireTrailLock, auditDirOf, ensureDir, recoverTrailHead } from '../jsonl_files.ts';
import type { OsLock } from '../../os_lock.ts';
import { JsonlWriter } from '../jsonl_writer.ts';
import type { DeliverySink, OutboxEvent, SinkReporter } from './sink.ts';

export interface JsonlSinkOptions {
  logDir: string;
  maxBytes: number;
  fileMode: number;
  dirMode: number;
  report: SinkReporter;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const holderName = (pid: number) => (pid > 0 ? `process ${pid}` : 'another process');

export class JsonlSink implements DeliverySink {
  readonly name = 'jsonl';
  readonly dir: string;
  private writer: JsonlWriter | null = null;
  private seq = 0;
  private prevHash = GENESIS_HASH;
  private heldBy: number | null = null;
  /** Held from open to close: no other writer can fork the chain meanwhile. */
  private lock: OsLock | null = null;

  constructor(private readonly opts: JsonlSinkOptions) {
    this.dir = auditDirOf(opts.logDir);
  }

  /** The chain's head: the seq and hash of its newest record. */
  get head(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.prevHash };
  }

  async open(): Promise<number> {
    if (this.writer) return this.seq;
    const { report } = this.opts;
    ensureDir(this.dir, this.opts.dirMode);
    // Kept across a failed open (a retry must not find itself in the way).
    const lock = this.lock ?? acquireTrailLock(this.dir, this.opts.fileMode);
    if (typeof lock === 'number') {
      if (this.heldBy !== lock) report.warn(`Audit trail ${this.dir} is being written by ${holderName(lock)}; the JSONL sink waits until it is free (the outbox keeps its events).`);
      this.heldBy = lock;
      throw new Error(`audit trail held by ${holderName(lock)}`);
    }
    this.lock = lock;
    this.heldBy = null;
    const head = recoverTrailHead(this.dir);
    for (const note of head.notes) report.warn(`Audit trail: ${note}`);
    if (head.liveFragmentBytes > 0) {
      report.warn(
        `Audit trail: audit.jsonl ends with an incomplete record (${head.liveFragmentBytes} bytes; the previous run stopped mid-write). ` +
          `It stays on a line of its own; the chain continues from seq ${head.seq ?? 0}. audit-verify reports and skips it.`,
      );
    }
    this.seq = head.seq ?? 0;
    this.prevHash = head.hash ?? GENESIS_HASH;
    this.writer = new JsonlWriter({
      dir: this.dir,
      maxBytes: this.opts.maxBytes,
      fileMode: this.opts.fileMode,
      dirMode: this.opts.dirMode,
      liveDay: head.liveDay,
      onError: (m) => report.error(m),
      onRecover: (m) => report.info(m),
    });
    return this.seq;
  }

  async write(events: readonly OutboxEvent[]): Promise<void> {
    const writer = this.writer!;
    let { seq, prevHash } = this;
    for (const { seq: next, event } of events) {
      if (next <= seq) continue;
      const body = canonicalJson({ ...event, seq: next });
      const hash = chainHash(prevHash, body);
      const day = DAY_RE.test(event.ts) ? event.ts.slice(0, 10) : new Date().toISOString().slice(0, 10);
      writer.append(recordLine(body, hash), day);
      seq = next;
      prevHash = hash;
    }
    await writer.flush();
    // The writer keeps what it could not write, in order, and retries by itself.
    while (writer.stats().failing) {
      await sleep(250);
      await writer.flush();
    }
    this.seq = seq;
    this.prevHash = prevHash;
  }

  status(): { failing: boolean; lastError: string | null } {
    const s = this.writer?.stats();
    return { failing: s?.failing ?? this.heldBy !== null, lastError: s?.failing ? s.lastError : this.heldBy !== null ? `held by ${holderName(this.heldBy)}` : null };
  }

  async close(): Promise<void> {
    if (!this.writer) return;
    const writer = this.writer;
    this.writer = null;
    await writer.close();
    this.lock?.release();
    this.lock = null;
  }
}
