/**
 * Retention: audit events older than `retentionDays` go — rows of the audit table (and PostgreSQL), and rotated
 * JSONL files all of whose events are older (a rotated file holds one UTC day). The live file
 * is never removed. Removing the oldest files shortens the chain from its start; audit-verify
 * then checks from the first record it is given (docs/audit-events.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AuditTable } from '../store/audit_table.ts';
import { listTrailFiles, trailPosition } from './jsonl_files.ts';

export interface PruneResult {
  /** ISO timestamp: everything strictly before it was pruned. */
  cutoff: string;
  days: number;
  rows: number;
  /** Rotated JSONL files removed (absolute paths). */
  files: string[];
}

const DAY_MS = 86_400_000;

export function retentionCutoff(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

/** Removes the rotated JSONL files whose whole day is before `cutoff`; returns their paths. */
export function pruneTrailFiles(dir: string, cutoff: string): string[] {
  const removed: string[] = [];
  for (const file of listTrailFiles(dir)) {
    const pos = trailPosition(path.basename(file));
    if (!pos || pos === 'live') continue;
    const end = new Date(Date.parse(`${pos.day}T00:00:00.000Z`) + DAY_MS).toISOString();
    if (end > cutoff) continue;
    try {
      fs.rmSync(file);
      removed.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}

/** Prunes a table (in chunks) and the old rotated files: the by-hand run (npm run audit-prune). */
export function pruneTrail(options: { table: AuditTable | null; dir: string | null; days: number; now?: Date }): PruneResult {
  const cutoff = retentionCutoff(options.days, options.now);
  const result: PruneResult = { cutoff, days: options.days, rows: 0, files: [] };
  if (options.days <= 0) return result;
  if (options.table) result.rows = options.table.prune(cutoff);
  if (options.dir) result.files = pruneTrailFiles(options.dir, cutoff);
  return result;
}
