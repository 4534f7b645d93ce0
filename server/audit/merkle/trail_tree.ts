/**
 * The Merkle tree of a trail as its files on disk make it: the pruned base (if retention removed
 * old files) followed by every leaf of the retained files. Used by the worker to rebuild its tree
 * when the saved state does not fit, by retention to move the base forward before it removes
 * files, and by the proof and verify tools.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listTrailFiles } from '../jsonl_files.ts';
import { BASE_FILE, checkpointDirOf, checkpointFileFor, emptyPoint, latestCheckpoint, makeCheckpoint, readTreePoint, writeDurably, writeTreePoint, type Checkpoint, type TreePoint } from './checkpoint.ts';
import type { SigningKey } from './signed_note.ts';
import { trailLeaves, type Leaf } from './leaves.ts';
import { CompactRange, LeafStore } from './tree.ts';

export function prunedBaseFileOf(auditDir: string): string {
  return path.join(checkpointDirOf(auditDir), BASE_FILE);
}

/**
 * Where retention cut the trail: the frontier of the records it removed (empty if none). Not
 * signed: verify_checkpoints.ts checks that the retained files bear it out.
 */
export function readPrunedBase(auditDir: string): TreePoint & { lastTs?: string | null } {
  const base = readTreePoint(prunedBaseFileOf(auditDir));
  return base ? { ...base, lastTs: typeof base.lastTs === 'string' ? base.lastTs : null } : { ...emptyPoint(), lastTs: null };
}

/**
 * Before retention removes `files` (the oldest of the trail, in order): extend the pruned base
 * over their records and save it durably, so the tree of what stays can still be computed. Run
 * it before the removal: a crash in between leaves files of records the base covers, which
 * audit-verify then reports (the base is not signed, so it cannot tell them from a forged base)
 * until the prune is run again and removes them.
 */
export async function advancePrunedBase(auditDir: string, files: readonly string[], dirMode = 0o700): Promise<TreePoint> {
  const base = readPrunedBase(auditDir);
  const range = base.frontier.clone();
  let { lastSeq, lastHash } = base;
  let lastLine: Buffer | null = null;
  for await (const leaf of trailLeaves(files, base.lastSeq)) {
    range.appendLeaf(leaf.leaf);
    lastSeq = leaf.seq;
    lastHash = leaf.chainHash;
    lastLine = leaf.line;
  }
  const point: TreePoint = { size: range.size, lastSeq, lastHash, frontier: range };
  if (point.size === base.size) return point;
  let lastTs: string | null = null;
  try {
    lastTs = (JSON.parse(lastLine!.toString('utf8')) as { ts?: string }).ts ?? null;
  } catch {
    // a record always has a ts; if not, the base simply does not say when
  }
  const dir = checkpointDirOf(auditDir);
  fs.mkdirSync(dir, { recursive: true, mode: dirMode });
  writeTreePoint(prunedBaseFileOf(auditDir), point, { lastTs, prunedAt: new Date().toISOString(), files: files.map((f) => path.basename(f)) });
  return point;
}

/** The tree of the whole trail as on disk, from the pruned base on. */
export async function treeOfFiles(auditDir: string, onLeaf?: (leaf: Leaf, index: number) => void): Promise<TreePoint & { base: TreePoint }> {
  const base = readPrunedBase(auditDir);
  const range = base.frontier.clone();
  let { lastSeq, lastHash } = base;
  for await (const leaf of trailLeaves(listTrailFiles(auditDir), base.lastSeq)) {
    onLeaf?.(leaf, range.size);
    range.appendLeaf(leaf.leaf);
    lastSeq = leaf.seq;
    lastHash = leaf.chainHash;
  }
  return { size: range.size, lastSeq, lastHash, frontier: range, base };
}

/**
 * The first `size` leaves of the trail in memory (32 bytes each, from the pruned base on), for
 * proofs; and the record of `wantSeq`, if asked, with its leaf index.
 */
export async function leafStoreOf(
  auditDir: string,
  size: number,
  wantSeq: number | null = null,
): Promise<{ store: LeafStore; wanted: (Leaf & { index: number }) | null; base: TreePoint }> {
  const base = readPrunedBase(auditDir);
  const leaves: Buffer[] = [];
  let wanted: (Leaf & { index: number }) | null = null;
  let index = base.size;
  if (size > base.size) {
    for await (const leaf of trailLeaves(listTrailFiles(auditDir), base.lastSeq)) {
      if (leaf.seq === wantSeq) wanted = { ...leaf, line: Buffer.from(leaf.line), index };
      leaves.push(leaf.leaf);
      if (++index >= size) break;
    }
  }
  return { store: new LeafStore(new CompactRange(base.size, base.frontier.frontier), leaves), wanted, base };
}

/**
 * A checkpoint of the trail as on disk, signed with the key file, for a shell tool run while the
 * server is stopped (npm run audit-prune signs one before it removes files). Null when the tree
 * has not grown past the newest checkpoint.
 */
export async function checkpointOfFiles(auditDir: string, key: SigningKey): Promise<Checkpoint | null> {
  const tree = await treeOfFiles(auditDir);
  const dir = checkpointDirOf(auditDir);
  if (tree.size === 0 || (latestCheckpoint(dir)?.size ?? 0) >= tree.size) return null;
  const cp = makeCheckpoint(key.name, tree.size, tree.frontier.root(), key);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  cp.file = checkpointFileFor(dir, cp);
  writeDurably(cp.file, cp.note);
  return cp;
}
