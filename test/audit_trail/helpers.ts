import fs from 'node:fs';
import path from 'node:path';
import { listTrailFiles } from '../../server/audit/jsonl_files.ts';
import { rowToEvent } from '../../server/audit/rows.ts';
import type { AuditEvent } from '../../server/audit/events.ts';
import { defaultAuditTrailConfig, type AuditTrailConfig } from '../../server/config.ts';
import type { Game } from '../../server/game.ts';
import { AUDIT_DB_FILE, AuditTable } from '../../server/store/audit_table.ts';

export type TrailRecord = AuditEvent & { seq: number; hash: string };

export const auditDir = (logDir: string): string => path.join(logDir, 'audit');

/** Every record of the trail, oldest first, with where it was found. */
export function readTrail(logDir: string): Array<TrailRecord & { file: string; line: number }> {
  return listTrailFiles(auditDir(logDir)).flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((text, i) => ({ text, line: i + 1 }))
      .filter(({ text }) => text)
      .map(({ text, line }) => ({ ...(JSON.parse(text) as TrailRecord), file, line })),
  );
}

/** Every row of the audit table as events, oldest first (once the worker has delivered them). */
export async function readTable(game: Game): Promise<Array<AuditEvent & { seq: number | null }>> {
  await game.auditTrail.flush();
  return (await game.auditReader.search({ limit: 1_000_000 })).reverse().map(rowToEvent);
}

/** The same, from a stopped game's audit table file. */
export function readTableFile(dataDir: string): Array<AuditEvent & { seq: number | null }> {
  const file = path.join(dataDir, AUDIT_DB_FILE);
  if (!AuditTable.exists(file)) return [];
  const table = new AuditTable(file, 'read');
  try {
    return table.search({ limit: 10_000_000 }).reverse().map(rowToEvent);
  } finally {
    table.close();
  }
}

export const auditConfig = (overrides: Partial<AuditTrailConfig>): AuditTrailConfig => ({ ...defaultAuditTrailConfig(), ...overrides });

/** The facts both sinks must agree on. */
export const facts = (e: AuditEvent) => ({
  ts: e.ts,
  event_type: e.event_type,
  actor: e.actor,
  target: e.target,
  location: e.location,
  payload: e.payload,
  success: e.success,
});
