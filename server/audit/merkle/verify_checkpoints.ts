/**
 * Verification of the trail against its signed checkpoints (audit-verify's second half; the
 * first is the hash chain, verify.ts). A chain alone can be rewritten from any record on and
 * re-hashed; a checkpoint cannot be re-signed without the key. So:
 *
 *  1. every checkpoint (the trail's own, and any given from elsewhere, e.g. shipped by
 *     MUD_AUDIT_CHECKPOINT_COMMAND) must carry a valid Ed25519 signature (C2SP signed-note);
 *  2. the records on disk, leaf by leaf (RFC 6962), from the pruned base on, must give each
 *     checkpoint's root at its tree size. All roots come from one sequence of leaves, so each
 *     checkpoint matched is a prefix of the next: consistent with the one before it;
 *  3. no checkpoint may cover more records than the files hold (records cut off the end).
 *
 * The first checkpoint whose root does not match exposes the change; the change lies in the
 * records after the checkpoint before it, the first of which is named. After pruning the walk
 * starts from the pruned base: the oldest retained checkpoint is the first one checked.
 *
 * The pruned base (pruned-base.json) is not signed, so it is believed only as far as the files
 * bear it out: a retained file that still holds a record the base says was pruned fails (a base
 * copied from tree-state.json would otherwise claim every record and have none read), and so does
 * a base that no signed checkpoint at or above its size vouches for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listTrailFiles } from '../jsonl_files.ts';
import { checkpointDirOf, listCheckpointFiles, openCheckpoint, type Checkpoint } from './checkpoint.ts';
import { trailLeaves, type Leaf, type StrayLine } from './leaves.ts';
import type { VerifierKey } from './signed_note.ts';
import { prunedBaseFileOf, readPrunedBase } from './trail_tree.ts';

export interface CheckpointProblem {
  reason: string;
  /** The checkpoint that exposes it. */
  checkpoint: string | null;
  /** The first record that does not fit, when one can be named. */
  file: string | null;
  line: number;
  seq: number | null;
}

export interface CheckpointVerifyResult {
  intact: boolean;
  /** Checkpoints whose signature verified and whose root the records give. */
  verified: number;
  smallest: number | null;
  largest: number | null;
  leaves: number;
  notes: string[];
  broken: CheckpointProblem | null;
}

/** Checkpoint files of a directory (any name that parses) or a single file. */
export function checkpointFilesIn(where: string): string[] {
  const st = fs.statSync(where, { throwIfNoEntry: false });
  if (!st) return [];
  if (st.isFile()) return [where];
  return fs
    .readdirSync(where)
    .map((n) => path.join(where, n))
    .filter((f) => fs.statSync(f).isFile() && /^[^\n]+\n\d+\n[A-Za-z0-9+/=]+\n\n/.test(fs.readFileSync(f, 'utf8').slice(0, 400)));
}

export async function verifyCheckpoints(
  auditDir: string,
  keys: readonly VerifierKey[],
  options: { extra?: readonly string[]; onLeaf?: (leaf: Leaf) => void } = {},
): Promise<CheckpointVerifyResult> {
  const result: CheckpointVerifyResult = { intact: true, verified: 0, smallest: null, largest: null, leaves: 0, notes: [], broken: null };
  const fail = (p: CheckpointProblem) => {
    result.intact = false;
    result.broken ??= p;
    return result;
  };
  const files = [...listCheckpointFiles(checkpointDirOf(auditDir)), ...(options.extra ?? []).flatMap(checkpointFilesIn)];
  const checkpoints: Checkpoint[] = [];
  for (const file of files) {
    let cp;
    try {
      cp = openCheckpoint(fs.readFileSync(file, 'utf8'), keys, file);
    } catch (error) {
      return fail({ reason: `not a valid checkpoint: ${(error as Error).message}`, checkpoint: file, file: null, line: 0, seq: null });
    }
    if (!cp.signed) return fail({ reason: 'its signature does not verify with the trail\'s public key (forged, edited, or signed by another key)', checkpoint: file, file: null, line: 0, seq: null });
    checkpoints.push(cp);
  }
  checkpoints.sort((a, b) => a.size - b.size);
  for (let i = 1; i < checkpoints.length; i++) {
    const [a, b] = [checkpoints[i - 1]!, checkpoints[i]!];
    if (a.size === b.size && !a.root.equals(b.root)) {
      return fail({ reason: `two signed checkpoints of tree size ${a.size} have different roots (${a.file} and ${b.file}): the log forked`, checkpoint: b.file, file: null, line: 0, seq: null });
    }
  }
  if (!checkpoints.length) {
    result.notes.push('there are no checkpoints: only the hash chain was checked');
    return result;
  }

  const base = readPrunedBase(auditDir);
  const range = base.frontier.clone();
  const early = checkpoints.filter((c) => c.size < base.size);
  if (early.length) result.notes.push(`${early.length} checkpoint(s) are older than the retained trail (tree size below ${base.size}): their signatures were checked, their records are pruned`);
  if (base.size > 0) {
    result.notes.push(`the trail starts after seq ${base.lastSeq}: ${base.size} older record(s) were pruned${base.lastTs ? ` (the newest of them from ${base.lastTs})` : ''}; verification starts from the oldest retained checkpoint`);
  }
  const pending = checkpoints.filter((c) => c.size >= base.size);
  let next = 0;
  let lastGood: Checkpoint | null = null;
  let firstAfterGood: Leaf | null = null;
  let lastLeaf: Leaf | null = null;
  /** Compares the root at the current size with every checkpoint of that size. */
  const settle = (): boolean => {
    while (next < pending.length && pending[next]!.size === range.size) {
      const cp = pending[next++]!;
      if (!range.root().equals(cp.root)) {
        const since = lastGood ? `checkpoint ${lastGood.file} (tree size ${lastGood.size}), which they match` : base.size ? 'the pruned base' : 'the start of the trail';
        const span = firstAfterGood && lastLeaf ? `seq ${firstAfterGood.seq} to ${lastLeaf.seq}` : 'the records';
        fail({
          reason: `the records do not give the root signed in checkpoint ${cp.file} (tree size ${cp.size}): a record among ${span}, after ${since}, was changed, and the chain re-hashed after it`,
          checkpoint: cp.file,
          file: firstAfterGood?.file ?? null,
          line: firstAfterGood?.lineNo ?? 0,
          seq: firstAfterGood?.seq ?? null,
        });
        return false;
      }
      result.verified++;
      result.smallest ??= cp.size;
      result.largest = cp.size;
      lastGood = cp;
      firstAfterGood = null;
    }
    return true;
  };
  if (!settle()) return result;
  // A line that is neither a record nor a crash's stump is no leaf, so no root would show it.
  let stray: StrayLine | null = null;
  const strayFound = (): CheckpointVerifyResult =>
    fail({ reason: stray!.reason, checkpoint: null, file: stray!.file, line: stray!.lineNo, seq: null });
  for await (const leaf of trailLeaves(listTrailFiles(auditDir), 0, (s) => (stray ??= s))) {
    if (stray) return strayFound();
    if (leaf.seq <= base.lastSeq) {
      return fail({
        reason:
          `this record is still in the trail, yet ${prunedBaseFileOf(auditDir)} says the records up to seq ${base.lastSeq} were pruned. ` +
          'The base is not signed, and a prune removes the files it covers: it was replaced to hide the records it claims, ' +
          'or a prune was interrupted between saving the base and removing the files (running npm run audit-prune again, with the same --days or fewer, finishes it)',
        checkpoint: null,
        file: leaf.file,
        line: leaf.lineNo,
        seq: leaf.seq,
      });
    }
    options.onLeaf?.(leaf);
    firstAfterGood ??= leaf;
    range.appendLeaf(leaf.leaf);
    lastLeaf = leaf;
    if (!settle()) return result;
  }
  if (stray) return strayFound();
  result.leaves = range.size;
  if (next < pending.length) {
    const cp = pending[pending.length - 1]!;
    const missing = cp.size - range.size;
    return fail({
      reason: `checkpoint ${cp.file} (signed) covers ${cp.size} record(s) but the trail holds ${range.size}: the newest ${missing} record(s), after seq ${lastLeaf?.seq ?? base.lastSeq}, were removed`,
      checkpoint: cp.file,
      file: lastLeaf?.file ?? null,
      line: 0,
      seq: lastLeaf ? lastLeaf.seq + 1 : null,
    });
  }
  if (base.size > 0 && result.verified === 0) {
    return fail({
      reason: `no signed checkpoint at or above tree size ${base.size} verified, so nothing vouches for ${prunedBaseFileOf(auditDir)} (it is not signed; a prune signs a checkpoint before it removes files)`,
      checkpoint: null,
      file: null,
      line: 0,
      seq: null,
    });
  }
  if (result.largest !== null && range.size > result.largest) {
    result.notes.push(`${range.size - result.largest} record(s) after the newest checkpoint (tree size ${result.largest}) are not signed yet (the next checkpoint covers them)`);
  }
  return result;
}
