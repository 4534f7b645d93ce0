/**
 * Retention: audit events older than `retentionDays` go — rows of the audit table (and PostgreSQL), and rotated
 * JSONL files all of whose events are older (a rotated file holds one UTC day). The live file
 * is never removed. Removing the oldest files shortens the chain from its start; audit-verify
 * then checks from the first record it is given (docs/audit-events.md).
 *
 * The Merkle tree over the trail (merkle/) keeps proving what stays: before files go, the pruned
 * base moves over their records (their frontier, RFC 6962), so the root of the retained records
 * can still be computed and checked against the signed checkpoints; checkpoints of trees smaller
 * than the base go with the records they covered.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AuditTable } from '../store/audit_table.ts';
import { listTrailFiles, trailPosition } from './jsonl_files.ts';
import { checkpointDirOf, latestCheckpoint, listCheckpointFiles, parseCheckpoint } from './merkle/checkpoint.ts';
import { advancePrunedBase, readPrunedBase } from './merkle/trail_tree.ts';

/** The records of the trail a prune removed, and the checkpoint that covered them before it. */
export interface TrailPrune {
  /** Rotated JSONL files removed (absolute paths). */
  files: string[];
  /** The seq range of the records in them (null when no file went). */
  fromSeq: number | null;
  toSeq: number | null;
  /** The newest checkpoint when the files went: signed just before, it covers every removed record. */
  checkpoint: { file: string; size: number } | null;
}

export interface PruneResult extends Omit<TrailPrune, 'files'> {
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

/** The rotated JSONL files whose whole day is before `cutoff`: the oldest of the trail, in order. */
export function expiredTrailFiles(dir: string, cutoff: string): string[] {
  return listTrailFiles(dir).filter((file) => {
    const pos = trailPosition(path.basename(file));
    if (!pos || pos === 'live') return false;
    return new Date(Date.parse(`${pos.day}T00:00:00.000Z`) + DAY_MS).toISOString() <= cutoff;
  });
}

/**
 * Removes the rotated JSONL files whose whole day is before `cutoff`; says which, the records in
 * them and the checkpoint before. `beforeRemove` runs first when there are any (the worker signs
 * a checkpoint there).
 */
export async function pruneTrailFiles(dir: string, cutoff: string, beforeRemove?: () => Promise<void>): Promise<TrailPrune> {
  const expired = expiredTrailFiles(dir, cutoff);
  if (!expired.length) return { files: [], fromSeq: null, toSeq: null, checkpoint: null };
  await beforeRemove?.();
  const before = readPrunedBase(dir).lastSeq;
  const signed = latestCheckpoint(checkpointDirOf(dir));
  const base = await advancePrunedBase(dir, expired);
  const removed: string[] = [];
  for (const file of expired) {
    try {
      fs.rmSync(file);
      removed.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  for (const file of listCheckpointFiles(checkpointDirOf(dir))) {
    try {
      if (parseCheckpoint(fs.readFileSync(file, 'utf8'), file).size < base.size) fs.rmSync(file, { force: true });
    } catch {
      // not a checkpoint we can read: left for audit-verify to report
    }
  }
  const moved = base.lastSeq > before;
  return {
    files: removed,
    fromSeq: moved ? before + 1 : null,
    toSeq: moved ? base.lastSeq : null,
    checkpoint: signed?.file ? { file: signed.file, size: signed.size } : null,
  };
}

/**
 * Prunes a table (in chunks) and the old rotated files: the by-hand run (npm run audit-prune).
 * `beforeRemove` signs a checkpoint first (it may run twice: the second finds nothing new).
 */
export async function pruneTrail(options: { table: AuditTable | null; dir: string | null; days: number; now?: Date; beforeRemove?: () => Promise<void> }): Promise<PruneResult> {
  const cutoff = retentionCutoff(options.days, options.now);
  const result: PruneResult = { cutoff, days: options.days, rows: 0, files: [], fromSeq: null, toSeq: null, checkpoint: null };
  if (options.days <= 0) return result;
  // The checkpoint comes before anything goes, rows too (the tool signs one if the tree grew).
  if (options.table) {
    await options.beforeRemove?.();
    result.rows = options.table.prune(cutoff);
  }
  if (options.dir) {
    Object.assign(result, await pruneTrailFiles(options.dir, cutoff, options.beforeRemove));
    const newest = result.checkpoint ? null : latestCheckpoint(checkpointDirOf(options.dir));
    if (newest?.file) result.checkpoint = { file: newest.file, size: newest.size };
  }
  return result;
}

/**
 * The cut-off that brings the trail's files under `maxBytes`: the start of the day after the
 * newest whole day that has to go, oldest days first. Never later than the start of today (UTC):
 * the day being written is never pruned. Null when the files fit.
 */
export function sizeCutoff(dir: string, maxBytes: number, now = new Date()): string | null {
  if (maxBytes <= 0) return null;
  const files = listTrailFiles(dir).map((file) => ({ pos: trailPosition(path.basename(file)), size: fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0 }));
  let total = files.reduce((sum, f) => sum + f.size, 0);
  if (total <= maxBytes) return null;
  const today = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
  let cutoff: string | null = null;
  for (const { pos, size } of files) {
    if (total <= maxBytes || !pos || pos === 'live') break;
    const end = new Date(Date.parse(`${pos.day}T00:00:00.000Z`) + DAY_MS).toISOString();
    if (end > today) break;
    cutoff = end;
    total -= size;
  }
  return cutoff;
}
