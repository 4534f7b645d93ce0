/**
 * `npm run audit-prune [-- --days N]`: removes audit events older than the retention
 * (MUD_AUDIT_RETENTION_DAYS, default 90; or --days) from the audit table (data/audit.sqlite3), and rotated
 * JSONL files whose whole day is older, then says how many went. The server does the same on a
 * schedule; this is the by-hand run. Safe while the server runs (SQLite locks the rows).
 * A prune that removed something is itself an `audit_pruned` event (who ran it, the range, the
 * checkpoint before), put in the game database's outbox for the server to deliver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { acquireTrailLock, auditDirOf } from '../audit/jsonl_files.ts';
import { checkpointOrigin } from '../audit/merkle/checkpoint.ts';
import { loadOrCreateKey } from '../audit/merkle/signed_note.ts';
import { checkpointOfFiles } from '../audit/merkle/trail_tree.ts';
import { pruneTrail } from '../audit/retention.ts';
import { auditPrunedEvent } from '../audit/server_events.ts';
import { appendFromShell } from '../store/audit_outbox.ts';
import { defaultAuditTrailConfig, signingKeyFileOf } from '../config.ts';
import { AUDIT_DB_FILE, AuditTable } from '../store/audit_table.ts';
import { die, loadConfigOrDie } from './shell.ts';

const USAGE = 'usage: npm run audit-prune [-- --days N]   (default: MUD_AUDIT_RETENTION_DAYS, 90)';

const args = process.argv.slice(2);
let days: number | null = null;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const m = /^--days(?:=(.*))?$/.exec(a);
  if (a === '-h' || a === '--help') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  } else if (m) {
    const raw = m[1] ?? args[++i];
    if (raw === undefined || !/^\d+$/.test(raw)) die(`--days needs a whole number of days\n${USAGE}`, 2);
    days = Number(raw);
  } else {
    die(USAGE, 2);
  }
}

const config = loadConfigOrDie();
days ??= (config.audit ?? defaultAuditTrailConfig()).retentionDays;
if (days === 0) {
  process.stdout.write('Retention is 0 days (keep everything): nothing pruned.\n');
  process.exit(0);
}

const dbFile = path.join(config.dataDir, AUDIT_DB_FILE);
const table = AuditTable.exists(dbFile) ? new AuditTable(dbFile, 'write') : null;
const dir = auditDirOf(config.logDir);
const audit = config.audit ?? defaultAuditTrailConfig();
const keyFile = signingKeyFileOf(config);
// With the server stopped, this tool signs the checkpoint before the prune itself (its key is
// the server's); while the server runs, its worker has signed one within MUD_AUDIT_CHECKPOINT_SECONDS.
let signed: string | null = null;
const beforeRemove = async () => {
  if (!audit.checkpoints || !fs.existsSync(keyFile) || !fs.existsSync(dir)) return;
  const lock = acquireTrailLock(dir, config.logs.fileMode);
  // A number: the server holds the trail (its worker checkpoints itself).
  if (typeof lock === 'number') return;
  try {
    const { key } = loadOrCreateKey(keyFile, checkpointOrigin(audit.serverId));
    const cp = await checkpointOfFiles(dir, key);
    if (cp) signed = `Signed checkpoint ${cp.file} (tree size ${cp.size}) before pruning.`;
  } finally {
    lock.release();
  }
};
try {
  const result = await pruneTrail({ table, dir, days, beforeRemove });
  process.stdout.write(
    `Pruned ${result.rows} audit event(s) older than ${result.cutoff} (${days} days) from the table` +
      `${table ? '' : ' (no database)'} and ${result.files.length} rotated JSONL file(s).\n`,
  );
  for (const f of result.files) process.stdout.write(`  removed ${f}\n`);
  if (signed) process.stdout.write(`${signed}\n`);
  if (result.rows || result.files.length) {
    const actor = { account: null, character: null, session_id: null, protocol: 'shell', remote_addr: null };
    const event = auditPrunedEvent(result, { via: 'npm run audit-prune', actor, osUser: os.userInfo().username });
    const recorded = appendFromShell(Database, path.join(config.dataDir, 'game.sqlite3'), event.ts, JSON.stringify(event));
    process.stdout.write(
      recorded
        ? 'Recorded as an audit_pruned event (the server delivers it to the trail; a stopped server at its next start).\n'
        : `warning: no game database in ${config.dataDir}: this prune is not recorded in the audit trail.\n`,
    );
  }
} finally {
  table?.close();
}
process.exit(0);
