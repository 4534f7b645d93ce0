/**
 * The `audit_events` table sink. Events are queued in memory and written in batches: one
 * transaction every `batchMs` (250 ms), or as soon as `batchSize` (500) are waiting — never one
 * transaction per event. A crash (kill -9, power loss) loses at most the batch being collected;
 * a graceful shutdown writes it before the database closes (Game.shutdown → AuditTrail.close).
 *
 * Batches are written from timers only, never from inside the sink: the sink is called while a
 * command's transaction is open, and audit rows must not commit or roll back with a command.
 */
import type { AuditEventRow, ObjectStore } from '../store/object_store.ts';
import type { AuditEvent } from './events.ts';

export interface TableWriterOptions {
  batchMs: number;
  batchSize: number;
  /** Rows held in memory while the database refuses writes; beyond it the oldest are dropped. */
  maxQueued?: number;
  onError: (message: string) => void;
  onRecover: (message: string) => void;
}

export interface TableWriterStats {
  written: number;
  dropped: number;
  queued: number;
  batches: number;
  failing: boolean;
  lastError: string | null;
  lastErrorAt: string | null;
}

export function eventToRow(event: AuditEvent, seq: number | null): AuditEventRow {
  const { actor, target } = event;
  return {
    seq,
    ts: event.ts,
    event_type: event.event_type,
    account: actor.account,
    character: actor.character,
    session_id: actor.session_id,
    protocol: actor.protocol,
    remote_addr: actor.remote_addr,
    target_kind: target?.kind ?? null,
    target_id: target?.id ?? null,
    target_name: target?.name ?? null,
    location: event.location,
    payload: JSON.stringify(event.payload ?? {}),
    success: event.success ? 1 : 0,
  };
}

/** A row back as the event it was made from (plus its seq). */
export function rowToEvent(row: AuditEventRow): AuditEvent & { seq: number | null } {
  return {
    ts: row.ts,
    event_type: row.event_type as AuditEvent['event_type'],
    actor: {
      account: row.account,
      character: row.character,
      session_id: row.session_id,
      protocol: row.protocol,
      remote_addr: row.remote_addr,
    },
    target: row.target_kind === null && row.target_name === null ? null : { kind: row.target_kind ?? 'object', id: row.target_id, name: row.target_name ?? '' },
    location: row.location,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    success: row.success !== 0,
    seq: row.seq,
  };
}

export class TableWriter {
  private queue: AuditEventRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closed = false;
  private failing = false;
  private retryDelay = 1000;
  private readonly s = { written: 0, dropped: 0, batches: 0, lastError: null as string | null, lastErrorAt: null as string | null };
  private readonly maxQueued: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: TableWriterOptions,
  ) {
    this.maxQueued = opts.maxQueued ?? 200_000;
  }

  /** Queues one row; the write happens later. False once closed (the row is counted as dropped). */
  add(row: AuditEventRow): boolean {
    if (this.closed) {
      this.s.dropped++;
      this.noteError(new Error('event after the audit table was closed (during shutdown)'));
      return false;
    }
    this.queue.push(row);
    if (this.queue.length > this.maxQueued) {
      const over = this.queue.length - this.maxQueued;
      this.queue.splice(0, over);
      if (this.s.dropped === 0) this.report(`audit table: more than ${this.maxQueued} events waiting; dropping the oldest (${this.s.lastError})`);
      this.s.dropped += over;
    }
    if (this.failing) return true; // the retry timer is set
    if (this.queue.length >= this.opts.batchSize) {
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.flushSome();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flushSome();
      }, this.opts.batchMs);
      this.timer.unref();
    }
    return true;
  }

  stats(): TableWriterStats {
    return {
      written: this.s.written,
      dropped: this.s.dropped,
      queued: this.queue.length,
      batches: this.s.batches,
      failing: this.failing,
      lastError: this.s.lastError,
      lastErrorAt: this.s.lastErrorAt,
    };
  }

  /**
   * Writes everything queued now, `batchSize` rows per transaction. Only outside a unit of work
   * (a timer, after an await, at shutdown): inside one a failing command would take the rows
   * with it. Returns false if it could not (database refusing, or called inside a unit).
   */
  flushNow(): boolean {
    if (!this.queue.length) return true;
    if (!this.store.db.open) {
      this.noteError(new Error('the database is closed'));
      return false;
    }
    if (this.store.inUnitOfWork) return false;
    while (this.queue.length) if (!this.writeOne()) return false;
    return true;
  }

  /** Writes every queued row and stops accepting more. Call before the store closes. */
  close(): void {
    if (this.closed) return;
    this.clearTimers();
    this.flushNow();
    this.closed = true;
    if (this.queue.length) {
      this.s.dropped += this.queue.length;
      this.report(`audit table: ${this.queue.length} event(s) could not be written before shutdown: ${this.s.lastError}`);
      this.queue = [];
    }
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** Timer work: a few batches, then yield to the game if more are waiting. */
  private flushSome(): void {
    if (this.closed || !this.store.db.open) return;
    if (this.store.inUnitOfWork) return this.later(0);
    for (let i = 0; i < 4 && this.queue.length; i++) {
      if (!this.writeOne()) return this.retry();
    }
    if (this.queue.length >= this.opts.batchSize) this.later(0);
    else if (this.queue.length) this.later(this.opts.batchMs);
  }

  private later(ms: number): void {
    if (ms === 0) {
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.flushSome();
      });
    } else if (!this.timer) {
      this.flushAfter(ms);
    }
  }

  private retry(): void {
    if (this.timer) clearTimeout(this.timer);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
    this.flushAfter(delay);
  }

  /** Arms the one timer; unref'd so that held events never keep the process alive on their own. */
  private flushAfter(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushSome();
    }, ms);
    this.timer.unref();
  }

  /** One transaction of up to batchSize rows. */
  private writeOne(): boolean {
    const batch = this.queue.slice(0, this.opts.batchSize);
    try {
      this.store.insertAuditEvents(batch);
    } catch (error) {
      this.noteError(error);
      if (!this.failing) {
        this.failing = true;
        this.report(`audit table: writing ${batch.length} event(s) failed: ${this.s.lastError} (${this.queue.length} held in memory; will retry)`);
      }
      return false;
    }
    this.queue.splice(0, batch.length);
    this.s.written += batch.length;
    this.s.batches++;
    if (this.failing) {
      this.failing = false;
      this.retryDelay = 1000;
      try {
        this.opts.onRecover('audit table is writable again');
      } catch {
        // ignore
      }
    }
    return true;
  }

  private noteError(error: unknown): void {
    this.s.lastError = (error as Error)?.message ?? String(error);
    this.s.lastErrorAt = new Date().toISOString();
  }

  private report(message: string): void {
    try {
      this.opts.onError(message);
    } catch {
      // a failing reporter must not stop the trail
    }
  }
}
