/**
 * The structured audit trail: one bus sink that gives every event its place in the hash chain
 * (seq, hash) and hands it to the JSONL writer and the table writer; pruning on a schedule;
 * counters for health. See docs/audit-events.md.
 *
 * Per event, on the caller's path: canonical JSON + one SHA-256 + two queue pushes. No I/O.
 */
import path from 'node:path';
import { defaultAuditTrailConfig, type AuditTrailConfig, type GameConfig } from '../config.ts';
import type { ObjectStore } from '../store/object_store.ts';
import type { AuditSink } from './bus.ts';
import { canonicalJson, chainHash, GENESIS_HASH, recordLine } from './canonical.ts';
import type { AuditEvent } from './events.ts';
import { acquireTrailLock, auditDirOf, ensureDir, recoverTrailHead, releaseTrailLock } from './jsonl_files.ts';
import { JsonlWriter, type JsonlWriterStats } from './jsonl_writer.ts';
import { pruneTrail, type PruneResult } from './retention.ts';
import { eventToRow, TableWriter, type TableWriterStats } from './table_writer.ts';

export interface AuditTrailReporter {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface JsonlSinkStats extends JsonlWriterStats {
  enabled: boolean;
  /** False while another process holds the trail (this one's events go to the table only). */
  chaining: boolean;
  /** Events not put in the chain although the JSONL sink is on (backlog full, held by another process, closed). */
  dropped: number;
  /** seq of the newest chained event. */
  seq: number | null;
  file: string;
}

export interface TableSinkStats extends TableWriterStats {
  enabled: boolean;
}

export interface AuditTrailStats {
  jsonl: JsonlSinkStats;
  table: TableSinkStats;
  lastPrune: (PruneResult & { at: string }) | null;
}

export interface AuditTrailOptions {
  logDir: string;
  fileMode: number;
  dirMode: number;
  config?: AuditTrailConfig;
  store: ObjectStore;
  report: AuditTrailReporter;
}

/** Events the JSONL writer may hold while its file is unwritable; beyond, new events skip the chain. */
const MAX_BACKLOG = 100_000;
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

const DAY_RE = /^\d{4}-\d{2}-\d{2}/;

export class AuditTrail {
  readonly dir: string;
  readonly config: AuditTrailConfig;
  /** Subscribe this to the AuditBus. */
  readonly sink: AuditSink = (event) => this.record(event);
  private jsonl: JsonlWriter | null = null;
  private readonly table: TableWriter | null;
  private seq = 0;
  private prevHash = GENESIS_HASH;
  private heldBy: number | null = null;
  private jsonlDropped = 0;
  private lockTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private pruning: Promise<PruneResult> | null = null;
  private lastPrune: AuditTrailStats['lastPrune'] = null;
  private closing: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly opts: AuditTrailOptions) {
    this.config = opts.config ?? defaultAuditTrailConfig();
    this.dir = auditDirOf(opts.logDir);
    const { report } = opts;
    this.table = this.config.table
      ? new TableWriter(opts.store, {
          batchMs: this.config.batchMs,
          batchSize: this.config.batchSize,
          onError: (m) => report.error(m),
          onRecover: (m) => report.info(m),
        })
      : null;
    if (this.config.jsonl) {
      try {
        ensureDir(this.dir, opts.dirMode);
        this.startChain();
      } catch (error) {
        report.error(`Audit trail ${this.dir} cannot be opened: ${(error as Error).message}; retrying every 5 s, events go to the table only meanwhile`);
        this.retryLock();
      }
    }
    if (this.config.retentionDays > 0) {
      const every = this.config.pruneIntervalMinutes * 60_000;
      // First run soon after start (not during it), then on the interval.
      this.pruneTimer = setTimeout(() => this.scheduledPrune(every), Math.min(every, 60_000));
      this.pruneTimer.unref();
    }
  }

  /** Takes the lock and recovers the chain's head from the files (and the table's highest seq). */
  private startChain(): void {
    const holder = acquireTrailLock(this.dir, this.opts.fileMode);
    if (holder !== null) {
      if (this.heldBy !== holder) {
        this.opts.report.warn(
          `Audit trail ${this.dir} is being written by process ${holder}; this process's audit events go to the table only until it is free.`,
        );
      }
      this.heldBy = holder;
      this.retryLock();
      return;
    }
    this.heldBy = null;
    const head = recoverTrailHead(this.dir);
    const tableSeq = this.table ? this.opts.store.auditMaxSeq() : null;
    this.seq = Math.max(head.seq ?? 0, tableSeq ?? 0);
    this.prevHash = head.hash ?? GENESIS_HASH;
    const { report } = this.opts;
    for (const note of head.notes) report.warn(`Audit trail: ${note}`);
    if (head.liveFragmentBytes > 0) {
      report.warn(
        `Audit trail: audit.jsonl ends with an incomplete record (${head.liveFragmentBytes} bytes; the previous run stopped mid-write). ` +
          `It stays on a line of its own; the chain continues from seq ${head.seq ?? 0}. audit-verify reports and skips it.`,
      );
    }
    if ((tableSeq ?? 0) > (head.seq ?? 0)) {
      report.warn(
        `Audit trail: the audit table has events up to seq ${tableSeq} but the trail files end at seq ${head.seq ?? 'none'}` +
          ` (events lost from the files, e.g. by a crash while writing); numbering continues at ${tableSeq! + 1}.`,
      );
    }
    this.jsonl = new JsonlWriter({
      dir: this.dir,
      maxBytes: this.config.jsonlMaxBytes,
      fileMode: this.opts.fileMode,
      dirMode: this.opts.dirMode,
      liveDay: head.liveDay,
      onError: (m) => report.error(m),
      onRecover: (m) => report.info(m),
    });
  }

  private retryLock(): void {
    if (this.lockTimer || this.closed) return;
    this.lockTimer = setTimeout(() => {
      this.lockTimer = null;
      if (this.closed || this.jsonl) return;
      try {
        ensureDir(this.dir, this.opts.dirMode);
        this.startChain();
        if (this.jsonl) this.opts.report.info(`Audit trail ${this.dir}: chaining resumes at seq ${this.seq + 1}`);
      } catch {
        this.retryLock();
      }
    }, 5000);
    this.lockTimer.unref();
  }

  /** The sink: never throws for I/O (that happens later), never blocks. */
  private record(event: AuditEvent): void {
    let seq: number | null = null;
    if (this.config.jsonl) {
      const jsonl = this.jsonl;
      if (!jsonl || this.closed || jsonl.backlog >= MAX_BACKLOG || jsonl.backlogBytes >= MAX_BACKLOG_BYTES) {
        this.jsonlDropped++;
      } else {
        const next = this.seq + 1;
        const body = canonicalJson({ ...event, seq: next });
        const hash = chainHash(this.prevHash, body);
        const day = DAY_RE.test(event.ts) ? event.ts.slice(0, 10) : new Date().toISOString().slice(0, 10);
        if (jsonl.append(recordLine(body, hash), day)) {
          this.seq = next;
          this.prevHash = hash;
          seq = next;
        } else {
          this.jsonlDropped++;
        }
      }
    }
    this.table?.add(eventToRow(event, seq));
  }

  /** Everything recorded so far is in the file and the table (unless one is failing). */
  async flush(): Promise<void> {
    this.flushTable();
    await this.jsonl?.flush();
  }

  /**
   * Writes the table's queue now. Call outside a unit of work (after an `await` in a command):
   * inside one, the rows would roll back with a failing command, so it does nothing there.
   */
  flushTable(): boolean {
    return this.table?.flushNow() ?? true;
  }

  stats(): AuditTrailStats {
    const j = this.jsonl?.stats();
    const t = this.table?.stats();
    return {
      jsonl: {
        enabled: this.config.jsonl,
        chaining: this.jsonl !== null && !this.closed,
        written: j?.written ?? 0,
        dropped: this.jsonlDropped,
        queued: j?.queued ?? 0,
        queuedBytes: j?.queuedBytes ?? 0,
        batches: j?.batches ?? 0,
        rotations: j?.rotations ?? 0,
        failing: j?.failing ?? false,
        lastError: j?.lastError ?? (this.heldBy ? `held by process ${this.heldBy}` : null),
        lastErrorAt: j?.lastErrorAt ?? null,
        seq: this.jsonl ? this.seq : null,
        file: path.join(this.dir, 'audit.jsonl'),
      },
      table: {
        enabled: this.config.table,
        written: t?.written ?? 0,
        dropped: t?.dropped ?? 0,
        queued: t?.queued ?? 0,
        batches: t?.batches ?? 0,
        failing: t?.failing ?? false,
        lastError: t?.lastError ?? null,
        lastErrorAt: t?.lastErrorAt ?? null,
      },
      lastPrune: this.lastPrune,
    };
  }

  /** Prunes rows and rotated files older than the retention (or `days`). */
  prune(days = this.config.retentionDays, now = new Date()): Promise<PruneResult> {
    this.pruning ??= (async () => {
      try {
        this.flushTable();
        const result = await pruneTrail({ store: this.opts.store, dir: this.dir, days, now });
        this.lastPrune = { ...result, at: new Date().toISOString() };
        if (result.rows || result.files.length) {
          this.opts.report.info(
            `Audit retention (${days} days): pruned ${result.rows} event(s) before ${result.cutoff} from the table and ${result.files.length} rotated file(s)`,
          );
        }
        return result;
      } finally {
        this.pruning = null;
      }
    })();
    return this.pruning;
  }

  private scheduledPrune(every: number): void {
    this.pruneTimer = null;
    if (this.closed) return;
    this.prune()
      .catch((error: unknown) => this.opts.report.error(`Audit retention failed: ${(error as Error).message}`))
      .finally(() => {
        if (this.closed) return;
        this.pruneTimer = setTimeout(() => this.scheduledPrune(every), every);
        this.pruneTimer.unref();
      });
  }

  /**
   * Graceful stop: the table's last batch is written (call this before the store closes), the
   * JSONL file is written, synced and closed, the lock released. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.lockTimer) clearTimeout(this.lockTimer);
      if (this.pruneTimer) clearTimeout(this.pruneTimer);
      await this.pruning?.catch(() => {});
      this.table?.close();
      if (this.jsonl) {
        const lost = await this.jsonl.close();
        this.jsonlDropped += lost;
        releaseTrailLock(this.dir);
      }
    })();
    return this.closing;
  }
}

/** The trail of a game: its log dir, file modes and database. */
export function openAuditTrail(config: GameConfig, store: ObjectStore, report: AuditTrailReporter): AuditTrail {
  return new AuditTrail({ logDir: config.logDir, fileMode: config.logs.fileMode, dirMode: config.logs.dirMode, config: config.audit, store, report });
}
