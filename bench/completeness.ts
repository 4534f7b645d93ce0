/**
 * Whether each run did what it should, apart from how fast: every command the load process sent
 * has exactly one `command` event in every audit sink (the AUDIT CMD lines of the text log, the
 * JSONL trail, the audit table), no client saw an error or the wrong room, and the server exited
 * cleanly after SIGTERM. Any of these failing makes the bench exit 1, so the rule lives in one
 * place, with the line that says it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listTrailFiles } from '../server/audit/jsonl_files.ts';
import { AUDIT_DB_FILE, AuditTable } from '../server/store/audit_table.ts';
import type { RunRecord } from './workloads.ts';

/** Counts `command` events across the JSONL trail files. */
export function countJsonlCommands(logDir: string): number {
  let n = 0;
  for (const file of listTrailFiles(path.join(logDir, 'audit'))) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.includes('"event_type":"command"')) n++;
  }
  return n;
}

/** Counts `command` rows in the audit table (data/audit.sqlite3). */
export function countTableCommands(dataDir: string): number {
  const file = path.join(dataDir, AUDIT_DB_FILE);
  if (!AuditTable.exists(file)) return 0;
  const table = new AuditTable(file, 'read');
  try {
    return (table.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE event_type = 'command'").get() as { n: number }).n;
  } finally {
    table.close();
  }
}

/** Counts `AUDIT CMD` lines across command_audit.log and its rotated files. */
export function countAuditCmdLines(logDir: string): number {
  let n = 0;
  if (!fs.existsSync(logDir)) return 0;
  for (const file of fs.readdirSync(logDir)) {
    if (!file.startsWith('command_audit.log')) continue;
    for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
      if (/^\S+ \S+ \| mud\.commands \| INFO \| AUDIT CMD: /.test(line)) n++;
    }
  }
  return n;
}

/** Each sink's `command` events after a run: the text log's lines, the JSONL records, the table's rows. */
export function sinkCommandCounts(logDir: string, dataDir: string): Pick<RunRecord, 'auditCmdLines' | 'jsonlCommands' | 'tableCommands'> {
  return { auditCmdLines: countAuditCmdLines(logDir), jsonlCommands: countJsonlCommands(logDir), tableCommands: countTableCommands(dataDir) };
}

/** After an audited run: each sink's `command` events, and whether every sink has one per command sent and the server exited 0. */
export function checkAuditSinks(logDir: string, dataDir: string, commandsSent: number, exitCode: number | null): Pick<RunRecord, 'auditCmdLines' | 'jsonlCommands' | 'tableCommands' | 'complete'> {
  const counts = sinkCommandCounts(logDir, dataDir);
  return { ...counts, complete: Object.values(counts).every((n) => n === commandsSent) && exitCode === 0 };
}

/** Logs one run's line; returns what went wrong in it (errors, an incomplete audit, a bad exit). */
export function noteRun(record: RunRecord, log: (line: string) => void, tag = ''): string[] {
  const { workload, mode, rep } = record;
  const r = record.run;
  const failures: string[] = [];
  log(
    `  ${`${tag}${workload}`.padEnd(10)} ${mode.padEnd(9)} rep ${rep}: ${r.completed} cmds in ${r.wallMs} ms = ${r.perSecond}/s, ` +
      `p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} ms, server ${record.serverCpuUsPerCmd} us/cmd, RSS ${(record.rssAfterKb / 1024).toFixed(1)} MB` +
      (record.perIdleConnectionKb !== undefined ? `, ${record.perIdleConnectionKb} KB/idle conn` : '') +
      (r.errors || r.wrongRoom ? `, ERRORS ${r.errors} wrong-room ${r.wrongRoom}: ${r.firstErrors.join(' | ')}` : '') +
      (record.complete !== undefined ? `, audit ${record.auditCmdLines}/${record.commandsSent} ${record.complete ? 'complete' : 'INCOMPLETE'}` : ''),
  );
  const what = `${tag}${workload}/${mode}/rep ${rep}`;
  if (record.complete === false) failures.push(`${what}: ${record.auditCmdLines} AUDIT CMD lines, ${record.jsonlCommands} JSONL and ${record.tableCommands} table command events for ${record.commandsSent} commands sent (exit ${record.exitCode})`);
  if (r.errors || r.wrongRoom) failures.push(`${what}: ${r.errors} errors, ${r.wrongRoom} wrong rooms: ${r.firstErrors.join(' | ')}`);
  if (record.exitCode !== 0) failures.push(`${what}: server exit code ${record.exitCode}`);
  return failures;
}

export interface Completeness {
  runs: number;
  complete: number;
  failures: string[];
}

/** Counts the audited runs (those that were checked) and the complete ones among them. */
export function completenessOf(records: readonly RunRecord[], failures: string[]): Completeness {
  const audited = records.filter((r) => r.complete !== undefined);
  return { runs: audited.length, complete: audited.filter((r) => r.complete).length, failures };
}

export function formatCompleteness({ runs, complete, failures }: Completeness): string {
  return `completeness: ${complete}/${runs} audited runs have exactly one command event per command sent in every sink (text log, JSONL, table)` + (failures.length ? `\nFAILURES:\n  ${failures.join('\n  ')}` : '');
}
