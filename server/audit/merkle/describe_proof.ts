/** A proof as text for people: `npm run audit-proof` and `@audit/proof`. */
import type { ConsistencyAnswer, InclusionAnswer } from './proofs.ts';

export function describeProof(p: InclusionAnswer | ConsistencyAnswer): string {
  const lines: string[] = [];
  if (p.kind === 'inclusion') {
    lines.push(`Record seq ${p.seq} (${p.file}:${p.line}):`, p.record, '');
    lines.push(`Leaf ${p.leafIndex} of tree size ${p.treeSize}; leaf hash SHA-256(0x00 || line): ${p.leafHash}`);
    lines.push(`Inclusion proof (RFC 9162 2.1.3, ${p.proof.length} hash(es), leaf to root):`, ...p.proof.map((h) => `  ${h}`));
    lines.push(`Root hash: ${p.rootHash}  ${p.verified ? '(the proof gives it)' : 'NOT given by the proof'}`);
  } else {
    lines.push(`Tree size ${p.oldSize} (root ${p.oldRoot}${p.oldCheckpointFile ? `, checkpoint ${p.oldCheckpointFile}` : ', computed from the files'})`);
    lines.push(`is a prefix of tree size ${p.newSize} (root ${p.newRoot}):`);
    lines.push(`Consistency proof (RFC 9162 2.1.4, ${p.proof.length} hash(es)):`, ...p.proof.map((h) => `  ${h}`));
    lines.push(p.verified ? 'The proof checks.' : 'The proof does NOT check (npm run audit-verify says where the trail differs).');
  }
  lines.push('', `Checkpoint${p.checkpointFile ? ` ${p.checkpointFile}` : ''}:`, p.checkpoint.trimEnd());
  return lines.join('\n');
}
