/**
 * `npm run audit-proof -- inclusion <seq>`: the record of `seq` as written in the trail and its
 * inclusion proof (RFC 9162 §2.1.3) against the newest signed checkpoint.
 * `npm run audit-proof -- consistency <old-size> [new-size]`: the consistency proof (§2.1.4)
 * that the tree of old-size is a prefix of the newest checkpoint's (or of the checkpoint of
 * new-size). Add `--json` for a machine-readable answer. Read-only; safe while the server runs.
 *
 * Exit code: 0 a proof that checks, 1 none (or it does not check), 2 bad usage.
 */
import { auditDirOf } from '../audit/jsonl_files.ts';
import { describeProof } from '../audit/merkle/describe_proof.ts';
import { consistencyProof, inclusionProof, ProofError, type ConsistencyAnswer, type InclusionAnswer } from '../audit/merkle/proofs.ts';
import { die, loadConfigOrDie } from './shell.ts';

const USAGE = [
  'usage: npm run audit-proof -- inclusion <seq> [--json]',
  '       npm run audit-proof -- consistency <old-size> [new-size] [--json]',
].join('\n');

const args = process.argv.slice(2).filter((a) => a !== '--json');
const json = process.argv.includes('--json');
const whole = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : die(USAGE, 2));
const [kind, a, b] = args;
if (args.some((x) => x === '-h' || x === '--help')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!((kind === 'inclusion' && args.length === 2) || (kind === 'consistency' && (args.length === 2 || args.length === 3)))) die(USAGE, 2);
const dir = auditDirOf(loadConfigOrDie().logDir);

let answer: InclusionAnswer | ConsistencyAnswer;
try {
  answer = kind === 'inclusion' ? await inclusionProof(dir, whole(a)) : await consistencyProof(dir, whole(a), b === undefined ? undefined : whole(b));
} catch (error) {
  if (error instanceof ProofError) die(error.message, 1);
  throw error;
}
if (json) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
else process.stdout.write(`${describeProof(answer)}\n`);
process.exit(answer.verified ? 0 : 1);
