/**
 * The contract between the audit worker and each of its sinks (text logs, JSONL chain, audit
 * table, PostgreSQL). The worker reads the game's outbox in `seq` order and hands each sink the
 * events after that sink's own cursor; a sink's cursor is whatever it durably holds, so after a
 * kill -9 at any moment it resumes exactly where its last durable write ended: every event
 * exactly once, none missing, none twice.
 */
import type { AuditEvent } from '../events.ts';

/** One outbox row: the event as the game committed it, and its gap-free sequence number. */
export interface OutboxEvent {
  seq: number;
  event: AuditEvent;
}

/** Where a sink reports trouble and recovery; its lines go to server.log. */
export interface SinkReporter {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DeliverySink {
  /** Short, stable: 'text', 'jsonl', 'table', 'pg'. Used in /metrics and @audit/stats. */
  readonly name: string;
  /**
   * Opens the sink and returns the highest seq it durably holds (0 when empty). Called again
   * after a failed write: a sink that may have written part of a batch must recognise it here,
   * so the next write starts after what is really there.
   */
  open(): Promise<number>;
  /**
   * Writes these events (seq order, each above the cursor) and resolves once they are durable.
   * Rejects on failure; the worker keeps the backlog in the outbox, retries with a backoff, and
   * calls open() first to learn the cursor again.
   */
  write(events: readonly OutboxEvent[]): Promise<void>;
  /**
   * For a sink that keeps a failed write itself and retries it (the log files' streams), so that
   * write() just takes longer: whether it is failing now. Shown in /metrics and @audit/stats.
   */
  status?(): { failing: boolean; lastError: string | null };
  /** Events older than `cutoff` (ISO) go (retention); returns how many. Optional. */
  prune?(cutoff: string): Promise<number>;
  close(): Promise<void>;
}
