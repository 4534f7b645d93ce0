/** The structured audit trail's settings (server/audit/; docs/audit-events.md#settings). */
import os from 'node:os';
import path from 'node:path';
import { redactUrl } from './audit/pg_redact.ts';
import { choice, ConfigError, flag, integer, type Env } from './config_env.ts';
import type { GameConfig } from './config.ts';

/** The structured audit trail (server/audit/trail.ts; docs/audit-events.md). */
export interface AuditTrailConfig {
  /** `logs/audit/audit.jsonl`, hash-chained, rotated daily and by size. Env MUD_AUDIT_JSONL. */
  jsonl: boolean;
  /** Size at which the live JSONL file rotates. Env MUD_AUDIT_JSONL_MAX_BYTES. */
  jsonlMaxBytes: number;
  /** The queryable audit table, `data/audit.sqlite3`. Env MUD_AUDIT_TABLE. */
  table: boolean;
  /** Most events the audit worker hands a sink in one write (one transaction). Env MUD_AUDIT_BATCH_SIZE. */
  batchSize: number;
  /**
   * Most events the outbox holds for a sink that is behind (down, full disk). Env
   * MUD_AUDIT_BACKLOG_MAX. What happens when it is full: `refuse` new commands (with a clear
   * line to the player and an ERROR in server.log) or `drop` the stuck sink's oldest undelivered
   * events, counted. Env MUD_AUDIT_ON_FULL.
   */
  backlogMax: number;
  onFull: 'refuse' | 'drop';
  /** Events (rows and rotated files) older than this many days are pruned; 0 keeps all. Env MUD_AUDIT_RETENTION_DAYS. */
  retentionDays: number;
  /**
   * Most bytes the JSONL trail's files may take; past it the oldest whole days go from every sink
   * (files, table, PostgreSQL), as retention does by age. 0: no size bound. Env MUD_AUDIT_MAX_BYTES.
   */
  maxBytes: number;
  /** How often the pruning runs. Env MUD_AUDIT_PRUNE_MINUTES. */
  pruneIntervalMinutes: number;
  /** PostgreSQL sink (postgres://user:pass@host:5432/db), null for none. Env MUD_AUDIT_PG_URL. */
  pgUrl: string | null;
  /** This server's name in a shared PostgreSQL table. Env MUD_SERVER_ID, default the host name. */
  serverId: string;
  /** Where @audit/search and the console read: the local table or PostgreSQL. Env MUD_AUDIT_READ. */
  read: 'table' | 'pg';
  /** Signed checkpoints of the JSONL trail's Merkle tree (server/audit/merkle/). Env MUD_AUDIT_CHECKPOINTS. */
  checkpoints: boolean;
  /** A checkpoint after this many records (0: not by count). Env MUD_AUDIT_CHECKPOINT_EVENTS. */
  checkpointEvents: number;
  /** A checkpoint this often when records came (0: not by time). Env MUD_AUDIT_CHECKPOINT_SECONDS. */
  checkpointSeconds: number;
  /** Shell command that receives each checkpoint on stdin, null for none. Env MUD_AUDIT_CHECKPOINT_COMMAND. */
  checkpointCommand: string | null;
  /** The Ed25519 key (PKCS#8 PEM), made at first start; null: `<dataDir>/audit_signing.key`. Env MUD_AUDIT_SIGNING_KEY_FILE. */
  signingKeyFile: string | null;
}

export function defaultAuditTrailConfig(): AuditTrailConfig {
  return {
    jsonl: true,
    jsonlMaxBytes: 64 * 1024 * 1024,
    table: true,
    batchSize: 500,
    backlogMax: 1_000_000,
    onFull: 'refuse',
    retentionDays: 90,
    maxBytes: 10 * 1024 ** 3,
    pruneIntervalMinutes: 60,
    pgUrl: null,
    serverId: os.hostname(),
    read: 'table',
    checkpoints: true,
    checkpointEvents: 10_000,
    checkpointSeconds: 60,
    checkpointCommand: null,
    signingKeyFile: null,
  };
}

/** `fullAudit` off (MUD_AUDIT=off) turns the JSONL file and the table off too, unless set on. */
export function auditTrailConfig(env: Env, file: Partial<AuditTrailConfig> | undefined, fullAudit: boolean): AuditTrailConfig {
  const a = { ...defaultAuditTrailConfig(), ...file };
  return {
    jsonl: flag(env, 'MUD_AUDIT_JSONL', fullAudit && a.jsonl),
    jsonlMaxBytes: integer(env, 'MUD_AUDIT_JSONL_MAX_BYTES', a.jsonlMaxBytes, { min: 1024 }),
    table: flag(env, 'MUD_AUDIT_TABLE', fullAudit && a.table),
    batchSize: integer(env, 'MUD_AUDIT_BATCH_SIZE', a.batchSize, { min: 1, max: 100_000 }),
    backlogMax: integer(env, 'MUD_AUDIT_BACKLOG_MAX', a.backlogMax, { min: 1 }),
    onFull: choice(env, 'MUD_AUDIT_ON_FULL', a.onFull, ['refuse', 'drop'] as const),
    retentionDays: integer(env, 'MUD_AUDIT_RETENTION_DAYS', a.retentionDays, { max: 100 * 365 }),
    maxBytes: integer(env, 'MUD_AUDIT_MAX_BYTES', a.maxBytes),
    pruneIntervalMinutes: integer(env, 'MUD_AUDIT_PRUNE_MINUTES', a.pruneIntervalMinutes, { min: 1, max: 7 * 24 * 60 }),
    ...pgSettings(env, a),
    checkpoints: flag(env, 'MUD_AUDIT_CHECKPOINTS', a.checkpoints),
    checkpointEvents: integer(env, 'MUD_AUDIT_CHECKPOINT_EVENTS', a.checkpointEvents, { max: 100_000_000 }),
    checkpointSeconds: integer(env, 'MUD_AUDIT_CHECKPOINT_SECONDS', a.checkpointSeconds, { max: 7 * 86_400 }),
    checkpointCommand: (env.MUD_AUDIT_CHECKPOINT_COMMAND !== undefined ? env.MUD_AUDIT_CHECKPOINT_COMMAND : a.checkpointCommand)?.trim() || null,
    signingKeyFile: (env.MUD_AUDIT_SIGNING_KEY_FILE !== undefined ? env.MUD_AUDIT_SIGNING_KEY_FILE : a.signingKeyFile)?.trim() || null,
  };
}

/** The signing key's file: MUD_AUDIT_SIGNING_KEY_FILE, or `audit_signing.key` in the data dir. */
export function signingKeyFileOf(config: Pick<GameConfig, 'dataDir' | 'audit'>): string {
  return path.resolve(config.audit?.signingKeyFile ?? path.join(config.dataDir, 'audit_signing.key'));
}

/** MUD_AUDIT_PG_URL, MUD_SERVER_ID, MUD_AUDIT_READ. The URL holds a password: errors show it redacted. */
function pgSettings(env: Env, a: AuditTrailConfig): Pick<AuditTrailConfig, 'pgUrl' | 'serverId' | 'read'> {
  const pgUrl = (env.MUD_AUDIT_PG_URL !== undefined ? env.MUD_AUDIT_PG_URL : a.pgUrl)?.trim() || null;
  if (pgUrl !== null && !/^postgres(ql)?:\/\/./i.test(pgUrl)) {
    throw new ConfigError(`MUD_AUDIT_PG_URL=${redactUrl(pgUrl)} should look like postgres://user:password@host:5432/database`);
  }
  const serverId = (env.MUD_SERVER_ID !== undefined ? env.MUD_SERVER_ID : a.serverId).trim();
  if (!serverId || serverId.length > 200) throw new ConfigError(`MUD_SERVER_ID=${JSON.stringify(serverId)} should be a name of 1 to 200 characters`);
  const read = (env.MUD_AUDIT_READ || a.read).toLowerCase();
  if (read !== 'table' && read !== 'pg') throw new ConfigError(`MUD_AUDIT_READ=${JSON.stringify(read)} should be table or pg`);
  if (read === 'pg' && pgUrl === null) {
    throw new ConfigError('MUD_AUDIT_READ=pg reads the audit trail from PostgreSQL, but MUD_AUDIT_PG_URL is not set: set it, or MUD_AUDIT_READ=table');
  }
  return { pgUrl, serverId, read };
}
