/**
 * The hash-chained JSONL trail (`logs/audit/audit.jsonl`) as a sink. Its cursor is in the files
 * themselves: the newest complete record's seq and hash (recoverTrailHead), so after a crash the
 * chain continues exactly after the last record that reached the disk. The canonical JSON and
 * the SHA-256 of each record are computed here, on the audit worker, not on the game thread.
 *
 * Beside it runs the trail's notary (merkle/notary.ts): each record written becomes a leaf of an
 * RFC 6962 Merkle tree whose signed checkpoints go to `logs/audit/checkpoints/`. Each record also
 * carries its OWASP Logging Vocabulary name (owasp.ts), derived here from the event.
 */
import { canonicalJson, chainHash, GENESIS_HASH, recordLine } from '../canonical.ts';
import { acquireTrailLock, auditDirOf, ensureDir, recoverTrailHead } from '../jsonl_files.ts';
import type { OsLock } from '../../os_lock.ts';
import { JsonlWriter } from '../jsonl_writer.ts';
import { TrailNotary, type NotaryOptions } from '../merkle/notary.ts';
import { owaspName } from '../owasp.ts';
import type { DeliverySink, OutboxEvent, SinkReporter } from './sink.ts';

export interface JsonlSinkOptions {
  logDir: string;
  maxBytes: number;
  fileMode: number;
  dirMode: number;
  report: SinkReporter;
  /** Signed checkpoints of the trail's Merkle tree; null for none (a bare chain). */
  checkpoints: Pick<NotaryOptions, 'keyFile' | 'origin' | 'everyEvents' | 'everySeconds' | 'command'> | null;
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
  private rotated = false;
  readonly notary: TrailNotary | null;

  constructor(private readonly opts: JsonlSinkOptions) {
    this.dir = auditDirOf(opts.logDir);
    const cp = opts.checkpoints;
    this.notary = cp
      ? new TrailNotary({ ...cp, auditDir: this.dir, dirMode: opts.dirMode, report: opts.report, sync: () => this.writer?.sync() ?? Promise.resolve() })
      : null;
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
      onRotate: () => {
        this.rotated = true;
      },
    });
    try {
      await this.notary?.open({ seq: this.seq, hash: head.hash });
    } catch (error) {
      // Without its tree the trail would be signed wrongly: the sink waits (the outbox keeps the events).
      const writer = this.writer;
      this.writer = null;
      await writer.close();
      this.lock?.release();
      this.lock = null;
      throw new Error(`audit checkpoints: ${(error as Error).message}`);
    }
    return this.seq;
  }

  async write(events: readonly OutboxEvent[]): Promise<void> {
    const writer = this.writer!;
    let { seq, prevHash } = this;
    const written: Array<[number, string, string]> = [];
    for (const { seq: next, event } of events) {
      if (next <= seq) continue;
      const body = canonicalJson({ ...event, seq: next });
      const hash = chainHash(prevHash, body);
      const day = DAY_RE.test(event.ts) ? event.ts.slice(0, 10) : new Date().toISOString().slice(0, 10);
      const line = recordLine(body, hash, owaspName(event));
      writer.append(line, day);
      written.push([next, hash, line]);
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
    // Leaves only now, once the lines are in the file: the tree is always the records on disk.
    if (this.notary) {
      for (const [s, h, line] of written) this.notary.append(s, h, line);
      const rotated = this.rotated;
      this.rotated = false;
      await this.notary.batchDone(rotated);
    }
  }

  status(): { failing: boolean; lastError: string | null } {
    const s = this.writer?.stats();
    return { failing: s?.failing ?? this.heldBy !== null, lastError: s?.failing ? s.lastError : this.heldBy !== null ? `held by ${holderName(this.heldBy)}` : null };
  }

  async close(): Promise<void> {
    if (!this.writer) return;
    const writer = this.writer;
    await writer.close();
    // The shutdown checkpoint, over the file as closed (and synced).
    await this.notary?.close();
    this.writer = null;
    this.lock?.release();
    this.lock = null;
  }

  /** Retention is about to remove rotated files: a checkpoint of the whole trail first. */
  async beforePrune(): Promise<void> {
    if (this.writer) await this.notary?.beforePrune();
  }
}
