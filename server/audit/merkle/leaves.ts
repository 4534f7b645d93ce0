/**
 * The leaves of the trail's Merkle tree, read back from the JSONL files: every line that is a
 * record (a JSON object with a whole-number `seq` ≥ 1 and a 64-hex `hash`, the same test as the
 * chain's), in trail order, each seq once and only going up, hashed over the line's bytes exactly
 * as written (without the '\n'). Lines that are not records — a stump a crash cut short — are not
 * leaves, just as the worker never appended them; one that cannot be such a stump (JSON that is
 * no record, or text that is no record's start: canonical.ts) is told to `onStray`, for audit-verify. Read as bytes, not text, so that a file edited
 * into invalid UTF-8 hashes as it is and not as a decoder would repair it.
 */
import fs from 'node:fs';
import { HASH_RE, notACrashStump } from '../canonical.ts';
import { leafHash } from './tree.ts';

export interface Leaf {
  seq: number;
  /** The record's chain hash (its `hash` field). */
  chainHash: string;
  line: Buffer;
  leaf: Buffer;
  file: string;
  /** 1-based line number in the file. */
  lineNo: number;
}

const NL = 0x0a;

export function recordFields(line: Buffer): { seq: number; hash: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { seq, hash } = value as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  if (typeof hash !== 'string' || !HASH_RE.test(hash)) return null;
  return { seq, hash };
}

async function* linesOf(file: string): AsyncGenerator<[Buffer, number]> {
  let carry: Buffer | null = null;
  let lineNo = 0;
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let i = buf.indexOf(NL); i >= 0; i = buf.indexOf(NL, start)) {
      yield [buf.subarray(start, i), ++lineNo];
      start = i + 1;
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
    buf = Buffer.alloc(0);
  }
  if (carry && carry.length) yield [carry, ++lineNo];
}

/** A line of the trail that is neither a record nor what a crash leaves (canonical.ts). */
export interface StrayLine {
  file: string;
  lineNo: number;
  reason: string;
}

/**
 * Every leaf of `files` (oldest first) whose seq is above `afterSeq` (what a pruned base or a
 * saved tree state already covers).
 */
export async function* trailLeaves(files: readonly string[], afterSeq = 0, onStray?: (stray: StrayLine) => void): AsyncGenerator<Leaf> {
  let last = afterSeq;
  for (const file of files) {
    for await (const [line, lineNo] of linesOf(file)) {
      if (line.length === 0) continue;
      const rec = recordFields(line);
      if (!rec && onStray) {
        const reason = notACrashStump(line.toString('utf8'));
        if (reason) onStray({ file, lineNo, reason });
      }
      if (!rec || rec.seq <= last) continue;
      last = rec.seq;
      yield { seq: rec.seq, chainHash: rec.hash, line, leaf: leafHash(line), file, lineNo };
    }
  }
}

/** seq of the first record of a file (reading only its start), or null. */
export function firstSeqOf(file: string): number | null {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    let start = 0;
    for (let i = buf.indexOf(NL); i >= 0 && i < n; i = buf.indexOf(NL, start)) {
      const rec = recordFields(buf.subarray(start, i));
      if (rec) return rec.seq;
      start = i + 1;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
