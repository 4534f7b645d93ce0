/**
 * Retention: audit events older than `retentionDays` go — rows of `audit_events`, and rotated
 * JSONL files all of whose events are older (a rotated file holds one UTC day). The live file
 * is never removed. Removing the oldest files shortens the chain from its start; audit-verify
 * then checks from the first record it is given (docs/audit-events.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ObjectStore } from '../store/object_store.ts';
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

const CHUNK = 5000;

/** Prunes the table (yielding to the event loop between chunks) and the old rotated files. */
export async function pruneTrail(options: { store: ObjectStore | null; dir: string | null; days: number; now?: Date }): Promise<PruneResult> {
  const cutoff = retentionCutoff(options.days, options.now);
  const result: PruneResult = { cutoff, days: options.days, rows: 0, files: [] };
  if (options.days <= 0) return result;
  const { store } = options;
  if (store) {
    for (;;) {
      if (!store.db.open) break;
      const n = store.pruneAuditEvents(cutoff, CHUNK, 4);
      result.rows += n;
      if (n < CHUNK * 4) break;
      await new Promise((r) => setImmediate(r));
    }
  }
  if (options.dir) {
    for (const file of listTrailFiles(options.dir)) {
      const pos = trailPosition(path.basename(file));
      if (!pos || pos === 'live') continue;
      const end = new Date(Date.parse(`${pos.day}T00:00:00.000Z`) + DAY_MS).toISOString();
      if (end > cutoff) continue;
      try {
        fs.rmSync(file);
        result.files.push(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return result;
}
