/**
 * The server's own audit events (OWASP's sys_startup, sys_shutdown, sys_monitor_disabled): what
 * started, with which settings, why it stopped, and which parts of the audit are off. The
 * settings are a summary an operator can compare between starts; nothing secret goes in (the
 * PostgreSQL URL, the checkpoint command, tokens and keys are only said to be set or not).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GameConfig } from '../config.ts';
import { auditEvent, type AuditActor, type AuditEvent } from './events.ts';
import type { PruneResult } from './retention.ts';

const SERVER = { account: null, character: null, session_id: null, protocol: null, remote_addr: null };

/** package.json's version, read once (at start-up, not on any hot path). */
let version: string | null = null;
function serverVersion(): string {
  if (version === null) {
    try {
      version = String((JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** Which kind of process serves: the single-process server, or the game under the portal. */
export type ServerProcessKind = 'single' | 'game';

/** The settings that say how this server runs and what it audits; never a secret. */
export function configSummary(config: GameConfig, ports: Record<string, number>): Record<string, unknown> {
  const a = config.audit;
  return {
    server_name: config.serverName,
    host: config.host,
    ports,
    web: config.webEnabled,
    data_dir: config.dataDir,
    log_dir: config.logDir,
    character_typeclass: config.defaultCharacterTypeclass,
    scrypt_n: config.scryptN,
    command_rate: config.limits.commandRate,
    rate_exempt: config.limits.rateExempt.length,
    logs: { audit: config.logs.audit, admin: config.logs.admin, chat: config.logs.chat, server: config.logs.server, portal: config.logs.portal },
    audit: a
      ? {
          jsonl: a.jsonl,
          table: a.table,
          postgres: a.pgUrl !== null,
          checkpoints: a.checkpoints,
          checkpoint_events: a.checkpointEvents,
          checkpoint_seconds: a.checkpointSeconds,
          checkpoint_command: a.checkpointCommand !== null,
          signing_key_file: a.signingKeyFile !== null ? 'set' : 'default',
          retention_days: a.retentionDays,
          max_bytes: a.maxBytes,
          backlog_max: a.backlogMax,
          on_full: a.onFull,
        }
      : null,
    admin_console: config.admin.enabled,
    metrics: config.admin.metrics,
    metrics_token: config.admin.metricsToken !== '',
  };
}

export function serverStartedEvent(config: GameConfig, kind: ServerProcessKind, ports: Record<string, number>): AuditEvent {
  return auditEvent('server_started', SERVER, {
    payload: { version: serverVersion(), node: process.version, pid: process.pid, process: kind, config: configSummary(config, ports) },
  });
}

export function serverStoppedEvent(reason: string, startedAt: Date, sessions: number): AuditEvent {
  return auditEvent('server_stopped', SERVER, {
    payload: { reason, pid: process.pid, uptime_seconds: Math.round((Date.now() - startedAt.getTime()) / 1000), sessions },
  });
}

/** One part of the audit that the configuration turned off, with the setting that did it. */
export interface DisabledPart {
  setting: string;
  what: string;
}

/** What of the audit is off in this configuration (empty: everything is on). */
export function disabledAuditParts(config: GameConfig): DisabledPart[] {
  const off: DisabledPart[] = [];
  const { logs, audit } = config;
  if (!logs.audit) off.push({ setting: 'MUD_AUDIT=off', what: 'the command, movement and player logs' });
  if (!logs.admin) off.push({ setting: 'MUD_ADMIN_LOG=off', what: 'admin_actions.log' });
  if (!logs.chat) off.push({ setting: 'MUD_CHAT_LOG=off', what: 'chat.log' });
  if (audit && !audit.jsonl) off.push({ setting: 'MUD_AUDIT_JSONL=off', what: 'the hash-chained JSONL trail' });
  if (audit && !audit.table) off.push({ setting: 'MUD_AUDIT_TABLE=off', what: 'the audit table' });
  if (audit?.jsonl && !audit.checkpoints) off.push({ setting: 'MUD_AUDIT_CHECKPOINTS=off', what: 'the signed checkpoints' });
  if (!config.defaultCharacterTypeclass.endsWith('.AuditedCharacter')) {
    off.push({ setting: `MUD_CHARACTER_TYPECLASS=${config.defaultCharacterTypeclass}`, what: 'auditing of new characters' });
  }
  return off;
}

export function serverAuditDisabledEvent(parts: readonly DisabledPart[]): AuditEvent {
  return auditEvent('audit_disabled', SERVER, {
    success: true,
    payload: { scope: 'server', settings: parts.map((p) => p.setting), off: parts.map((p) => p.what) },
  });
}

/** How a prune came to run: the worker's schedule (by age, by size), asked for in the game, or the shell tool. */
export type PruneVia = 'retention' | 'size' | 'request' | 'npm run audit-prune';

/**
 * A prune of the trail, as an audit event (OWASP sensitive_delete): who ran it, the cut-off and
 * the seq range of the records removed from the files, the table rows, and the checkpoint that
 * covered them just before, so a verifier knows which signed root still vouches for them.
 */
export function auditPrunedEvent(outcome: PruneResult & { why?: PruneVia }, by: { via?: PruneVia; actor?: AuditActor; osUser?: string } = {}): AuditEvent {
  return auditEvent('audit_pruned', by.actor ?? SERVER, {
    payload: {
      via: by.via ?? outcome.why ?? 'request',
      ...(by.osUser !== undefined ? { os_user: by.osUser, pid: process.pid } : {}),
      days: outcome.days,
      cutoff: outcome.cutoff,
      rows: outcome.rows,
      files: outcome.files.map((f) => path.basename(f)),
      from_seq: outcome.fromSeq,
      to_seq: outcome.toSeq,
      checkpoint: outcome.checkpoint ? { file: path.basename(outcome.checkpoint.file), size: outcome.checkpoint.size } : null,
    },
  });
}
