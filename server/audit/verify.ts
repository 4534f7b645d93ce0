/**
 * Walks a JSONL audit trail and checks its hash chain (docs/audit-events.md): every record's
 * hash must be SHA-256(previous record's hash + its canonical JSON without `hash`), and seq must
 * go up by one. Names the first record that was edited, removed or reordered.
 *
 * Not breaks, but reported:
 *  - a line that is not a record, when the next record links across it: a record cut short by a
 *    crash or a failed write (the writer then starts a new line and writes the record again).
 *    Only the start of a record that does not parse can be that; any other line (JSON that is
 *    not a record, or text that is not the start of one) breaks the trail, where it is;
 *  - one incomplete line at the very end of the trail: a crash mid-write (or truncation: a
 *    chain alone cannot tell; the table's highest seq is checked when available);
 *  - a jump in seq where the hashes still link: the writer itself skipped numbers, because events
 *    reached the table but not the file before a crash;
 *  - a trail that starts mid-chain (older files pruned by retention, or not given).
 */
import fs from 'node:fs';
import { canonicalJson, chainHash, GENESIS_HASH, HASH_RE, notACrashStump } from './canonical.ts';

export interface TrailLocation {
  file: string;
  line: number;
  seq: number | null;
}

export interface VerifyResult {
  intact: boolean;
  files: string[];
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The first record links to the genesis hash (nothing before it is missing). */
  fromGenesis: boolean;
  notes: string[];
  /** The first problem, when not intact. */
  broken: (TrailLocation & { reason: string }) | null;
}

interface Line {
  file: string;
  line: number;
  text: string;
  /** Ended with a newline (false only for the last line of a file). */
  terminated: boolean;
}

interface Rec extends Line {
  seq: number;
  hash: string;
  body: string;
}

async function* linesOf(files: readonly string[]): AsyncGenerator<Line> {
  for (const file of files) {
    let carry = '';
    let line = 0;
    const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    for await (const chunk of stream as AsyncIterable<string>) {
      const parts = (carry + chunk).split('\n');
      carry = parts.pop()!;
      for (const text of parts) yield { file, line: ++line, text, terminated: true };
    }
    if (carry) yield { file, line: ++line, text: carry, terminated: false };
  }
}

function parse(l: Line): Rec | null {
  let value: unknown;
  try {
    value = JSON.parse(l.text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  // `owasp` is derived from the event and written beside the hash, outside the chain (canonical.ts).
  const { hash, owasp: _owasp, ...rest } = value as Record<string, unknown>;
  const seq = rest.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
  if (typeof hash !== 'string' || !HASH_RE.test(hash)) return null;
  return { ...l, seq, hash, body: canonicalJson(rest) };
}

const at = (l: Line) => `${l.file}:${l.line}`;
const seqIn = (text: string): number | null => {
  const m = /"seq":(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
};

export interface VerifyOptions {
  /** Highest seq in the audit table: if above the trail's last, the end of the trail is missing. */
  tableMaxSeq?: number | null;
}

export async function verifyTrail(files: readonly string[], options: VerifyOptions = {}): Promise<VerifyResult> {
  const result: VerifyResult = { intact: true, files: [...files], records: 0, firstSeq: null, lastSeq: null, fromGenesis: false, notes: [], broken: null };
  const lines = linesOf(files);
  let prev: Rec | null = null;
  let pending: Line[] = [];

  const fail = (loc: Line, seq: number | null, reason: string): VerifyResult => {
    result.intact = false;
    result.broken = { file: loc.file, line: loc.line, seq, reason };
    return result;
  };

  /** Scans the rest of the trail: where is `seq`, and which record comes next? */
  const lookAhead = async (seq: number): Promise<{ found: Rec | null; next: Rec | null }> => {
    let next: Rec | null = null;
    for await (const l of lines) {
      const r = parse(l);
      if (!r) continue;
      next ??= r;
      if (r.seq === seq) return { found: r, next };
    }
    return { found: null, next };
  };

  for await (const l of lines) {
    const rec = parse(l);
    if (!rec) {
      const written = notACrashStump(l.text);
      if (written) return fail(l, seqIn(l.text), written);
      pending.push(l);
      continue;
    }
    if (prev === null) {
      const genesis = chainHash(GENESIS_HASH, rec.body) === rec.hash;
      if (!genesis && (rec.seq === 1 || pending.length)) {
        if (pending.length) return fail(pending[0]!, seqIn(pending[0]!.text), 'not a valid audit record (edited or damaged)');
        return fail(rec, rec.seq, 'edited: the first record does not match its hash');
      }
      for (const p of pending) result.notes.push(`${at(p)}: an incomplete record before the first one (a crash mid-write), skipped`);
      pending = [];
      result.fromGenesis = genesis;
      result.firstSeq = rec.seq;
      if (!genesis) {
        result.notes.push(
          `the trail starts mid-chain at seq ${rec.seq} (${at(rec)}): older files were pruned or not given, and this first record can only be checked by the one after it`,
        );
      } else if (rec.seq !== 1) {
        result.notes.push(`the chain starts afresh at seq ${rec.seq} (${at(rec)}): the audit files were removed while the table kept the numbering`);
      }
      prev = rec;
      result.records++;
      continue;
    }
    const expected = prev.seq + 1;
    if (chainHash(prev.hash, rec.body) === rec.hash) {
      if (rec.seq <= prev.seq) return fail(rec, rec.seq, `out of order: seq ${rec.seq} follows seq ${prev.seq}`);
      for (const p of pending) result.notes.push(`${at(p)}: an incomplete record (a crash or failed write mid-record; the chain links across it), skipped`);
      pending = [];
      if (rec.seq > expected) {
        result.notes.push(
          `${at(rec)}: seq jumps from ${prev.seq} to ${rec.seq} with the chain intact: ${rec.seq - expected} event(s) never reached the file (lost in a crash or an outage)`,
        );
      }
      prev = rec;
      result.records++;
      continue;
    }
    // The chain is broken here.
    if (pending.length) {
      const p = pending[0]!;
      return fail(p, seqIn(p.text) ?? expected, 'not a valid audit record (edited or damaged)');
    }
    if (rec.seq === expected) return fail(rec, rec.seq, 'edited: the record does not match its hash and the chain before it');
    if (rec.seq > expected) {
      const { found, next } = await lookAhead(expected);
      if (found) return fail(rec, rec.seq, `reordered: seq ${rec.seq} comes before seq ${expected} (which is at ${at(found)})`);
      if (next && next.seq === rec.seq + 1) {
        const missing = rec.seq - 1 === expected ? `seq ${expected} is` : `seq ${expected}-${rec.seq - 1} are`;
        return fail(rec, rec.seq, `removed: ${missing} missing before this record`);
      }
      return fail(rec, rec.seq, `edited: the record does not match its hash (its seq does not follow seq ${prev.seq})`);
    }
    return fail(rec, rec.seq, `reordered or duplicated: seq ${rec.seq} follows seq ${prev.seq}`);
  }

  if (pending.length) {
    const last = pending[pending.length - 1]!;
    if (pending.length === 1 && !last.terminated && last.file === files[files.length - 1]) {
      result.notes.push(`${at(last)}: the trail ends with an incomplete record (a crash mid-write, or the file was truncated)`);
    } else {
      const p = pending[0]!;
      return fail(p, seqIn(p.text) ?? (prev ? prev.seq + 1 : null), 'not a valid audit record (edited or damaged)');
    }
  }
  result.lastSeq = prev?.seq ?? null;
  const tableMax = options.tableMaxSeq ?? null;
  if (tableMax !== null && tableMax > (result.lastSeq ?? 0)) {
    const end = files.length ? files[files.length - 1]! : '(no files)';
    result.intact = false;
    result.broken = {
      file: end,
      line: 0,
      seq: result.lastSeq,
      reason: `the end of the trail is missing: it stops at seq ${result.lastSeq ?? 'none'} but the audit table has events up to seq ${tableMax}`,
    };
  }
  return result;
}
