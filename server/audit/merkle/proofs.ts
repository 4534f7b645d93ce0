/**
 * Proofs against the newest checkpoint, from the records on disk (RFC 9162 §2.1.3, §2.1.4):
 * that a record is in the signed tree (inclusion), and that an older tree is a prefix of a newer
 * one (consistency). Each proof is checked here before it is handed out, with the verifier of
 * tree.ts; the test suite checks them again with a verifier of its own. Hashes are base64, as in
 * the checkpoints.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkpointDirOf, checkpointName, latestCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { leafStoreOf } from './trail_tree.ts';
import { PrunedError, verifyConsistency, verifyInclusion } from './tree.ts';

export class ProofError extends Error {}

export interface InclusionAnswer {
  kind: 'inclusion';
  seq: number;
  /** The record's line, exactly as in the file (the leaf's input). */
  record: string;
  file: string;
  line: number;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
  rootHash: string;
  checkpoint: string;
  checkpointFile: string | null;
  verified: boolean;
}

export interface ConsistencyAnswer {
  kind: 'consistency';
  oldSize: number;
  newSize: number;
  oldRoot: string;
  newRoot: string;
  /** The checkpoint of the old size, when there is one (else the root is computed from the files). */
  oldCheckpointFile: string | null;
  proof: string[];
  checkpoint: string;
  checkpointFile: string | null;
  verified: boolean;
}

const b64 = (b: Buffer) => b.toString('base64');

function newest(auditDir: string): Checkpoint {
  const cp = latestCheckpoint(checkpointDirOf(auditDir));
  if (!cp) throw new ProofError('there is no checkpoint yet (the server signs the first one after its first records)');
  return cp;
}

/** Record `seq` and its audit path in the newest checkpoint's tree. */
export async function inclusionProof(auditDir: string, seq: number): Promise<InclusionAnswer> {
  const cp = newest(auditDir);
  const { store, wanted, base } = await leafStoreOf(auditDir, cp.size, seq);
  if (!wanted) {
    if (seq <= base.lastSeq) throw new ProofError(`seq ${seq} was pruned (the retained trail starts after seq ${base.lastSeq})`);
    throw new ProofError(`seq ${seq} is not in the trail covered by the newest checkpoint (tree size ${cp.size}${store.size < cp.size ? `; the files hold only ${store.size} record(s)` : ''})`);
  }
  if (store.size < cp.size) throw new ProofError(`the files hold ${store.size} record(s) but checkpoint ${cp.size} covers ${cp.size}: the trail was cut short (npm run audit-verify)`);
  const proof = store.inclusionProof(wanted.index, cp.size);
  return {
    kind: 'inclusion',
    seq,
    record: wanted.line.toString('utf8'),
    file: wanted.file,
    line: wanted.lineNo,
    leafIndex: wanted.index,
    treeSize: cp.size,
    leafHash: b64(wanted.leaf),
    proof: proof.map(b64),
    rootHash: b64(cp.root),
    checkpoint: cp.note,
    checkpointFile: cp.file,
    verified: verifyInclusion(wanted.index, cp.size, wanted.leaf, proof, cp.root),
  };
}

/** That the tree of `oldSize` is a prefix of the tree of `newSize` (default: the newest checkpoint). */
export async function consistencyProof(auditDir: string, oldSize: number, newSize?: number): Promise<ConsistencyAnswer> {
  const latest = newest(auditDir);
  let cp = latest;
  if (newSize !== undefined && newSize !== latest.size) {
    const file = path.join(checkpointDirOf(auditDir), checkpointName(newSize));
    if (!fs.existsSync(file)) throw new ProofError(`there is no checkpoint of tree size ${newSize} (the newest is ${latest.size})`);
    cp = parseCheckpoint(fs.readFileSync(file, 'utf8'), file);
  }
  if (oldSize < 1 || oldSize > cp.size) throw new ProofError(`the old tree size must be from 1 to ${cp.size}`);
  const { store, base } = await leafStoreOf(auditDir, cp.size);
  if (store.size < cp.size) throw new ProofError(`the files hold ${store.size} record(s) but checkpoint ${cp.size} covers ${cp.size}: the trail was cut short (npm run audit-verify)`);
  if (oldSize < base.size) throw new ProofError(`tree size ${oldSize} is before the retained trail: the oldest ${base.size} record(s) were pruned`);
  const oldFile = path.join(checkpointDirOf(auditDir), checkpointName(oldSize));
  const oldCheckpoint = fs.existsSync(oldFile) ? parseCheckpoint(fs.readFileSync(oldFile, 'utf8'), oldFile) : null;
  let proof: Buffer[];
  let oldRoot: Buffer;
  try {
    proof = store.consistencyProof(oldSize, cp.size);
    oldRoot = store.hash(0, oldSize);
  } catch (error) {
    if (error instanceof PrunedError) throw new ProofError(error.message);
    throw error;
  }
  const newRoot = store.hash(0, cp.size);
  return {
    kind: 'consistency',
    oldSize,
    newSize: cp.size,
    oldRoot: b64(oldCheckpoint?.root ?? oldRoot),
    newRoot: b64(cp.root),
    oldCheckpointFile: oldCheckpoint?.file ?? null,
    proof: proof.map(b64),
    checkpoint: cp.note,
    checkpointFile: cp.file,
    verified: newRoot.equals(cp.root) && verifyConsistency(oldSize, cp.size, oldCheckpoint?.root ?? oldRoot, cp.root, proof),
  };
}
