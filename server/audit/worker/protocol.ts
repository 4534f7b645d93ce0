/** The messages between the game thread and the audit worker (server/audit/worker/main.ts). */
import type { LogConfig, LoggerName, LogLevel } from '../../logging/index.ts';
import type { ConsistencyAnswer, InclusionAnswer } from '../merkle/proofs.ts';
import type { PruneResult } from '../retention.ts';

export interface WorkerSetup {
  /** The game database holding the outbox (read-only here). */
  gameDb: string;
  /** The queryable audit table's own file. */
  auditDb: string;
  logs: LogConfig;
  /** Which delivery sinks run; none when the outbox is off (MUD_AUDIT=off). */
  sinks: { text: boolean; jsonl: boolean; table: boolean; pg: { url: string; serverId: string } | null };
  jsonlMaxBytes: number;
  /** Signed checkpoints of the JSONL trail's Merkle tree (merkle/notary.ts); null for none. */
  checkpoints: { keyFile: string; origin: string; everyEvents: number; everySeconds: number; command: string | null } | null;
  retentionDays: number;
  /** MUD_AUDIT_MAX_BYTES: the trail files' size bound (0: none). */
  maxBytes: number;
  pruneIntervalMinutes: number;
  /** The newest committed seq when the game started. */
  lastSeq: number;
  /** Events per sink write. */
  batchSize: number;
}

/** One operational log line from the game thread: logger, level, message, time (ms). */
export type LogEntry = [LoggerName, LogLevel, string, number];

export type ToWorker =
  | { t: 'wake'; seq: number }
  | { t: 'log'; lines: LogEntry[] }
  | { t: 'flush'; id: number; seq: number }
  | { t: 'prune'; id: number; days: number; now: number }
  | { t: 'drop'; keep: number }
  | { t: 'proof'; id: number; seq: number }
  | { t: 'close'; id: number; seq: number };

export interface SinkProgress {
  name: string;
  /** The highest seq this sink durably holds. */
  cursor: number;
  failing: boolean;
  lastError: string | null;
  /** When the last write error happened (ISO), null for never. */
  lastErrorAt: string | null;
  /** Events written since start, and dropped (MUD_AUDIT_ON_FULL=drop). */
  written: number;
  dropped: number;
  /** Age of its oldest undelivered event, 0 when caught up. */
  lagSeconds: number;
}

/** What a prune removed (retention.ts), and why it ran: the age, the size bound, or asked for (npm run audit-prune, a test). */
export interface PruneOutcome extends PruneResult {
  why: 'retention' | 'size' | 'request';
}

export type FromWorker =
  | { t: 'progress'; sinks: SinkProgress[] }
  /** A prune the worker ran on its own schedule removed something (for the game to audit it). */
  | { t: 'pruned'; outcome: PruneOutcome }
  | { t: 'done'; id: number; sinks: SinkProgress[]; prune?: PruneOutcome; proof?: ProofOutcome }
  | { t: 'fatal'; message: string };

/** An inclusion proof for @audit/proof and the console, or why there is none. */
export type ProofOutcome = { ok: true; answer: InclusionAnswer | ConsistencyAnswer } | { ok: false; error: string };
