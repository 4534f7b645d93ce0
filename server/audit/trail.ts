/**
 * The audit trail, game-thread side. Per event the game does one thing: insert it into the
 * outbox, in the transaction of the command that stated it (server/store/audit_outbox.ts).
 * After each commit the audit worker is woken; it delivers every event to every sink exactly
 * once, off this thread (server/audit/worker/). This side also keeps the backlog bounded
 * (MUD_AUDIT_BACKLOG_MAX, MUD_AUDIT_ON_FULL), forgets outbox rows every sink has taken, and
 * answers for the sinks' state in /metrics and @audit/stats.
 */
import path from 'node:path';
import { defaultAuditTrailConfig, signingKeyFileOf, type AuditTrailConfig, type GameConfig } from '../config.ts';
import type { GameLogs } from '../logging/index.ts';
import { AuditOutbox } from '../store/audit_outbox.ts';
import { AUDIT_DB_FILE, AuditTable } from '../store/audit_table.ts';
import type { ObjectStore } from '../store/object_store.ts';
import type { AuditSink } from './bus.ts';
import type { AuditEvent } from './events.ts';
import { pgAuditReader } from './pg_reader.ts';
import { AuditReader, tableRows } from './reader.ts';
import { auditDirOf, ensureDir, recoverTrailHead } from './jsonl_files.ts';
import { checkpointOrigin } from './merkle/checkpoint.ts';
import { readTextCursorSeq } from './sinks/text_logs.ts';
import { AuditWorkerClient } from './worker/client.ts';
import type { ProofOutcome, PruneOutcome, SinkProgress } from './worker/protocol.ts';

export type { ProofOutcome, PruneOutcome, SinkProgress };

export type SinkStats = SinkProgress & { lagEvents: number; enabled: boolean };

export interface AuditTrailStats {
  /** The newest committed event. */
  lastSeq: number;
  /** Events the furthest-behind sink has not taken yet. */
  backlog: number;
  backlogMax: number;
  /** True while new commands are refused because the backlog is full (MUD_AUDIT_ON_FULL=refuse). */
  refusing: boolean;
  sinks: SinkStats[];
  /** The same, by name (`enabled: false` when the sink is off). */
  jsonl: SinkStats;
  table: SinkStats;
  text: SinkStats;
  lastPrune: (PruneOutcome & { at: string }) | null;
}

/** How many taken rows make it worth a DELETE of the outbox (or once a second). */
const FORGET_EVERY = 256;

export class AuditTrail {
  readonly config: AuditTrailConfig;
  readonly auditDbFile: string;
  /** False with MUD_AUDIT=off and every structured sink off: nothing enters the outbox. */
  readonly outboxEnabled: boolean;
  /** Subscribe this to the AuditBus. */
  readonly sink: AuditSink = (event) => this.record(event);
  /** The server's log files (written by the worker). */
  readonly logs: GameLogs;
  private readonly outbox: AuditOutbox;
  private readonly worker: AuditWorkerClient;
  private appended = false;
  private committedSeq: number;
  /** The newest seq when this game started, and when that was (lag before the worker reports). */
  private readonly startSeq: number;
  private readonly startedAt = Date.now();
  private forgotten: number;
  private forgottenAt = Date.now();
  private refusingSince = 0;
  private lastRefusalLog = 0;
  private lastDrop = 0;
  private lastPrune: AuditTrailStats['lastPrune'] = null;
  private closing: Promise<void> | null = null;
  /** Every prune that removed something, scheduled or asked for (the game audits it). */
  onPruned: ((outcome: PruneOutcome) => void) | null = null;

  constructor(
    private readonly gameConfig: GameConfig,
    private readonly store: ObjectStore,
  ) {
    this.config = gameConfig.audit ?? defaultAuditTrailConfig();
    this.auditDbFile = path.join(gameConfig.dataDir, AUDIT_DB_FILE);
    const logs = gameConfig.logs;
    const text = logs.audit || logs.admin || logs.chat;
    this.outboxEnabled = text || this.config.jsonl || this.config.table || this.config.pgUrl !== null;
    this.outbox = new AuditOutbox(store);
    this.adoptLegacyTable();
    this.continueNumbering();
    this.committedSeq = this.outbox.lastSeq();
    this.startSeq = this.committedSeq;
    this.forgotten = this.committedSeq;
    store.onTurnCommitted = () => this.committed();
    this.worker = new AuditWorkerClient(
      {
        gameDb: store.file,
        auditDb: this.auditDbFile,
        logs: {
          dir: gameConfig.logDir,
          enabled: { commands: logs.audit, movement: logs.audit, player: logs.audit, server: logs.server, portal: logs.portal, admin: logs.admin, chat: logs.chat },
          auditMaxBytes: logs.auditMaxBytes,
          auditKeep: logs.auditKeep,
          dailyKeep: logs.dailyKeep,
          fileMode: logs.fileMode,
          dirMode: logs.dirMode,
          console: logs.console,
        },
        sinks: {
          text: this.outboxEnabled,
          jsonl: this.config.jsonl,
          table: this.config.table,
          pg: this.config.pgUrl && this.outboxEnabled ? { url: this.config.pgUrl, serverId: this.config.serverId } : null,
        },
        jsonlMaxBytes: this.config.jsonlMaxBytes,
        checkpoints: this.config.checkpoints
          ? {
              keyFile: signingKeyFileOf(gameConfig),
              origin: checkpointOrigin(this.config.serverId),
              everyEvents: this.config.checkpointEvents,
              everySeconds: this.config.checkpointSeconds,
              command: this.config.checkpointCommand,
            }
          : null,
        retentionDays: this.config.retentionDays,
        maxBytes: this.config.maxBytes,
        pruneIntervalMinutes: this.config.pruneIntervalMinutes,
        lastSeq: this.committedSeq,
        batchSize: this.config.batchSize,
      },
      (sinks) => this.progressed(sinks),
      () => this.committedSeq,
    );
    this.logs = this.worker.logs;
    this.worker.onPruned = (outcome) => this.pruned(outcome);
  }

  private pruned(outcome: PruneOutcome): void {
    this.lastPrune = { ...outcome, at: new Date().toISOString() };
    if (!this.closing && (outcome.rows || outcome.files.length)) this.onPruned?.(outcome);
  }

  /** The bus sink: one INSERT in the running transaction. No I/O, no hashing, no formatting. */
  private record(event: AuditEvent): void {
    if (!this.outboxEnabled || this.closing || !this.store.db.open) return;
    this.outbox.append(event.ts, JSON.stringify(event));
    this.appended = true;
  }

  /** After each COMMIT: the worker learns of the new events (one message per turn). */
  private committed(): void {
    if (!this.appended) return;
    this.appended = false;
    // Read back rather than counted: a rolled-back unit gives its numbers back (gap-free).
    const seq = this.outbox.lastSeq();
    if (seq <= this.committedSeq) return;
    this.committedSeq = seq;
    this.worker.wake(seq);
  }

  private progressed(sinks: SinkProgress[]): void {
    if (!sinks.length || !this.store.db.open) return;
    const taken = Math.min(...sinks.map((s) => s.cursor));
    if (taken > this.forgotten && (taken - this.forgotten >= FORGET_EVERY || Date.now() - this.forgottenAt > 1000)) {
      this.outbox.forgetThrough(taken);
      this.forgotten = taken;
      this.forgottenAt = Date.now();
    }
  }

  /** Events the furthest-behind sink has yet to take. */
  get backlog(): number {
    const sinks = this.worker.progress;
    if (!sinks.length) return 0;
    return Math.max(0, this.committedSeq - Math.min(...sinks.map((s) => s.cursor)));
  }

  /**
   * Null while commands may run; else the line to tell the player. When the backlog is full, the
   * default refuses new commands (an audit server that stops auditing must not go unnoticed);
   * MUD_AUDIT_ON_FULL=drop has the worker drop the stuck sink's oldest events instead.
   */
  refusal(): string | null {
    if (!this.outboxEnabled || this.backlog < this.config.backlogMax) {
      if (this.refusingSince) {
        this.logs.get('mud.server').info(`Audit backlog below ${this.config.backlogMax} again: commands are accepted`);
        this.refusingSince = 0;
      }
      return null;
    }
    const now = Date.now();
    if (this.config.onFull === 'drop') {
      if (now - this.lastDrop > 250) {
        this.lastDrop = now;
        this.worker.drop(Math.floor(this.config.backlogMax / 2));
      }
      return null;
    }
    this.refusingSince ||= now;
    if (now - this.lastRefusalLog > 60_000) {
      this.lastRefusalLog = now;
      const stuck = this.worker.progress.filter((s) => this.committedSeq - s.cursor >= this.config.backlogMax).map((s) => s.name);
      this.logs.get('mud.server').error(
        `Audit backlog full (${this.backlog} events, MUD_AUDIT_BACKLOG_MAX=${this.config.backlogMax}; stuck: ${stuck.join(', ') || '?'}): new commands are refused until the sinks catch up`,
      );
    }
    return 'The game cannot record what you do right now (its audit trail is backed up), so it is not taking commands. Please try again in a little while.';
  }

  /** Everything committed so far is in every working sink, and every log line is in its file. */
  async flush(): Promise<void> {
    if (!this.store.inUnitOfWork) this.store.commitTurn();
    await this.worker.flush(this.committedSeq);
  }

  stats(): AuditTrailStats {
    const sinks = this.worker.progress.map((s): SinkStats => ({ ...s, lagEvents: Math.max(0, this.committedSeq - s.cursor), enabled: true }));
    const named = (name: string): SinkStats =>
      sinks.find((s) => s.name === name) ?? { name, enabled: false, cursor: 0, failing: false, lastError: null, lastErrorAt: null, written: 0, dropped: 0, lagSeconds: 0, lagEvents: 0 };
    return {
      lastSeq: this.committedSeq,
      backlog: this.backlog,
      backlogMax: this.config.backlogMax,
      refusing: this.refusingSince > 0,
      sinks,
      jsonl: named('jsonl'),
      table: named('table'),
      text: named('text'),
      lastPrune: this.lastPrune,
    };
  }

  /** How far a sink is behind the newest event (for the readers to say so). */
  lagOf(name: string): { events: number; seconds: number } {
    const sink = this.worker.progress.find((s) => s.name === name);
    if (sink) return { events: Math.max(0, this.committedSeq - sink.cursor), seconds: sink.lagSeconds };
    // The worker has not reported yet (it is starting): everything since this start may be missing.
    return { events: Math.max(0, this.committedSeq - this.startSeq), seconds: (Date.now() - this.startedAt) / 1000 };
  }

  /**
   * The reader of the queryable trail (server/audit/reader.ts), waiting briefly for the worker:
   * the local table, or with MUD_AUDIT_READ=pg every server's events in PostgreSQL.
   */
  reader(): AuditReader {
    const pg = this.config.read === 'pg' && this.config.pgUrl;
    const onError = (message: string) => this.logs.get('mud.server').error(`Audit reader: ${message}`);
    const rows = pg ? pgAuditReader({ url: this.config.pgUrl!, onError }) : tableRows(this.auditDbFile);
    return new AuditReader(rows, pg ? true : this.config.table, {
      // While the worker is still starting (seconds on a loaded machine), wait longer for it.
      catchUp: (ms) => {
        const wait = this.worker.progress.length ? ms : Math.max(ms, 10_000);
        return Promise.race([this.flush(), new Promise<void>((r) => setTimeout(r, wait).unref())]);
      },
      lag: () => this.lagOf(pg ? 'pg' : 'table'),
    });
  }

  /** Record `seq` of the JSONL trail with its inclusion proof (RFC 9162) against a checkpoint signed now. */
  async proof(seq: number): Promise<ProofOutcome> {
    if (!this.config.jsonl || !this.config.checkpoints) return { ok: false, error: 'The audit trail has no checkpoints on this server (MUD_AUDIT_JSONL or MUD_AUDIT_CHECKPOINTS is off).' };
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > this.committedSeq) return { ok: false, error: `There is no audit event with seq ${seq} (the newest is ${this.committedSeq}).` };
    await this.flush();
    return this.worker.proof(seq);
  }

  /** Prunes every sink's events (and rotated JSONL files) older than the retention (or `days`). */
  async prune(days = this.config.retentionDays, now = new Date()): Promise<PruneOutcome> {
    await this.flush();
    const outcome = (await this.worker.prune(days, now)) ?? { cutoff: now.toISOString(), days, rows: 0, files: [], fromSeq: null, toSeq: null, checkpoint: null, why: 'request' as const };
    this.pruned(outcome);
    return outcome;
  }

  /**
   * Graceful stop (call before the store closes): every sink takes what was committed, the log
   * files and the trail are written and closed, the worker ends. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.store.db.open && !this.store.inUnitOfWork) this.store.commitTurn();
      const seq = this.committedSeq;
      await this.worker.close(seq);
      const sinks = this.worker.progress;
      const taken = sinks.length ? Math.min(...sinks.map((s) => s.cursor)) : seq;
      if (this.store.db.open && taken > this.forgotten) {
        this.outbox.forgetThrough(taken);
        this.store.commitTurn();
      }
      this.store.onTurnCommitted = null;
    })();
    return this.closing;
  }

  /** An older server kept the audit table in the game database: its rows move to their own file. */
  private adoptLegacyTable(): void {
    const has = this.store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get();
    if (!has) return;
    const table = new AuditTable(this.auditDbFile, 'write');
    try {
      table.adoptLegacyRows(this.store.file);
    } finally {
      table.close();
    }
  }

  /**
   * New events must be numbered after everything any sink already holds, even when the game
   * database is newer than the trail (restored from a backup, or an upgrade from the batched
   * table): a reused number would be taken for an event the sink has.
   */
  private continueNumbering(): void {
    let held = 0;
    if (this.config.jsonl) {
      const dir = auditDirOf(this.gameConfig.logDir);
      // Made here, at start-up, so the trail's folder exists from the first moment (0700).
      ensureDir(dir, this.gameConfig.logs.dirMode);
      held = Math.max(held, recoverTrailHead(dir).seq ?? 0);
    }
    if (AuditTable.exists(this.auditDbFile)) {
      const table = new AuditTable(this.auditDbFile, 'read');
      try {
        held = Math.max(held, table.maxSeq() ?? 0);
      } finally {
        table.close();
      }
    }
    held = Math.max(held, readTextCursorSeq(this.gameConfig.logDir));
    this.outbox.continueAfter(held);
  }
}

/** The trail of a game: its config and database. */
export function openAuditTrail(config: GameConfig, store: ObjectStore): AuditTrail {
  return new AuditTrail(config, store);
}
