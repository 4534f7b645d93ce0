/**
 * An independent verifier for the tests, written from RFC 6962 §2.1 and RFC 9162 §2.1 and the
 * C2SP signed-note / tlog-checkpoint specs, sharing no code with server/audit/merkle/: if the
 * project's tree or proofs were wrong in the same way as their own checks, these would still
 * disagree. Recursive, straight from the definitions (the project's verifiers are the iterative
 * algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
export const leaf = (line: Buffer) => sha256(Buffer.from([0]), line);
const node = (l: Buffer, r: Buffer) => sha256(Buffer.from([1]), l, r);
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** MTH(D[n]) of RFC 6962 §2.1. */
export function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const split = k(leaves.length);
  return node(mth(leaves.slice(0, split)), mth(leaves.slice(split)));
}

/** The root an audit path (RFC 9162 PATH(m, D[n]), leaf to root) leads to, or null if it does not fit. */
export function rootFromInclusion(m: number, n: number, leafHash: Buffer, proof: readonly Buffer[]): Buffer | null {
  if (m >= n) return null;
  if (n === 1) return proof.length === 0 ? leafHash : null;
  if (proof.length === 0) return null;
  const split = k(n);
  const sibling = proof[proof.length - 1]!;
  const rest = proof.slice(0, -1);
  if (m < split) {
    const left = rootFromInclusion(m, split, leafHash, rest);
    return left && node(left, sibling);
  }
  const right = rootFromInclusion(m - split, n - split, leafHash, rest);
  return right && node(sibling, right);
}

/** Checks PROOF(m, D[n]) of RFC 9162 §2.1.4 by rebuilding both roots from SUBPROOF's definition. */
export function consistent(m: number, n: number, oldRoot: Buffer, newRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0 || m > n) return false;
  const sub = (m: number, n: number, p: readonly Buffer[], whole: boolean): [Buffer, Buffer] | null => {
    if (m === n) {
      if (whole) return p.length === 0 ? [oldRoot, oldRoot] : null;
      return p.length === 1 ? [p[0]!, p[0]!] : null;
    }
    if (p.length === 0) return null;
    const split = k(n);
    const last = p[p.length - 1]!;
    if (m <= split) {
      const r = sub(m, split, p.slice(0, -1), whole);
      return r && [r[0], node(r[1], last)];
    }
    const r = sub(m - split, n - split, p.slice(0, -1), false);
    return r && [node(last, r[0]), node(last, r[1])];
  };
  const roots = sub(m, n, proof, true);
  return roots !== null && roots[0].equals(oldRoot) && roots[1].equals(newRoot);
}

/** A C2SP checkpoint note, its signature checked with the vkey `name+keyid+base64(0x01 ‖ key)`. */
export function openCheckpoint(note: string, vkey: string): { origin: string; size: number; root: Buffer } {
  // name+keyid+key: the base64 key may itself hold '+'.
  const [, name, keyIdHex, keyB64] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey.trim()) ?? [];
  const raw = Buffer.from(keyB64!, 'base64');
  const pub = raw.subarray(1);
  const keyId = sha256(Buffer.from(`${name}\n`), Buffer.from([1]), pub).subarray(0, 4);
  if (raw[0] !== 1 || keyId.toString('hex') !== keyIdHex) throw new Error('bad vkey');
  const [text, sigs] = [note.slice(0, note.indexOf('\n\n') + 1), note.slice(note.indexOf('\n\n') + 2)];
  const line = sigs.split('\n').find((l) => l.startsWith(`\u2014 ${name} `));
  if (!line) throw new Error('no signature by this key');
  const blob = Buffer.from(line.split(' ')[2]!, 'base64');
  const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
  if (!blob.subarray(0, 4).equals(keyId) || !verify(null, Buffer.from(text), spki, blob.subarray(4))) throw new Error('signature does not verify');
  const [origin, size, root] = text.split('\n');
  return { origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') };
}

/** Every record line of the trail files, oldest first (trail order: by day, then .N, then the live file). */
export function recordLines(auditDir: string): Buffer[] {
  const rank = (n: string) => (n === 'audit.jsonl' ? ['~'] : (/^audit-(\d{4}-\d\d-\d\d)(?:\.(\d+))?\.jsonl$/.exec(n) ?? []).slice(1));
  const names = fs
    .readdirSync(auditDir)
    .filter((n) => rank(n).length)
    .sort((a, b) => {
      const [da, na] = rank(a);
      const [db, nb] = rank(b);
      return da !== db ? (da! < db! ? -1 : 1) : Number(na ?? 0) - Number(nb ?? 0);
    });
  const lines: Buffer[] = [];
  for (const name of names) {
    const buf = fs.readFileSync(path.join(auditDir, name));
    let start = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
      if (i > start) lines.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  return lines;
}
