/**
 * Names and order of the JSONL audit files, the writer's lock, and recovery of the chain's head
 * at start-up. Everything here is synchronous: it runs once at start-up (or from a shell tool),
 * never per event.
 *
 *   logs/audit/audit.jsonl                 the live file (always this name: `tail -F` it)
 *   logs/audit/audit-2026-11-22.jsonl      rotated: the UTC day of its events
 *   logs/audit/audit-2026-11-22.1.jsonl    …the same day again (size rotation), .2, .3, …
 *
 * Oldest first: by day, then by number (none before .1), then the live file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OsLock } from '../os_lock.ts';
import { HASH_RE } from './canonical.ts';

export const AUDIT_SUBDIR = 'audit';
export const LIVE_FILE = 'audit.jsonl';
export const LOCK_FILE = 'audit.lock';
/** Names the lock's holder, for the message of those refused; never judged (the lock is). */
export const LOCK_PID_FILE = 'audit.lock.pid';

const ROTATED_RE = /^audit-(\d{4}-\d{2}-\d{2})(?:\.([1-9]\d*))?\.jsonl$/;

export function auditDirOf(logDir: string): string {
  return path.join(logDir, AUDIT_SUBDIR);
}

export function rotatedName(day: string, n: number): string {
  return n === 0 ? `audit-${day}.jsonl` : `audit-${day}.${n}.jsonl`;
}

/** Where a file name sits in the trail, or null if it is not one of ours. */
export function trailPosition(name: string): { day: string; n: number } | 'live' | null {
  if (name === LIVE_FILE) return 'live';
  const m = ROTATED_RE.exec(name);
  return m ? { day: m[1]!, n: m[2] ? Number(m[2]) : 0 } : null;
}

/** Compares two trail file names, oldest first (both must be trail names). */
export function compareTrailNames(a: string, b: string): number {
  const pa = trailPosition(a);
  const pb = trailPosition(b);
  if (pa === 'live' || pb === 'live') return pa === pb ? 0 : pa === 'live' ? 1 : -1;
  if (!pa || !pb) return 0;
  return pa.day < pb.day ? -1 : pa.day > pb.day ? 1 : pa.n - pb.n;
}

/** The names in `dir`, [] if it does not exist (yet, or any more: retention, a fresh start). */
export function namesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every trail file in `dir`, oldest first, as absolute paths ([] if the directory is missing). */
export function listTrailFiles(dir: string): string[] {
  return namesIn(dir)
    .filter((n) => trailPosition(n) !== null)
    .sort(compareTrailNames)
    .map((n) => path.join(dir, n));
}

/** The first free rotated name for `day` (never overwrites). */
export function freeRotatedName(dir: string, day: string): string {
  for (let n = 0; ; n++) {
    const candidate = path.join(dir, rotatedName(day, n));
    if (!fs.existsSync(candidate)) return candidate;
  }
}

/** Creates the directory with `mode` if missing and tightens it to `mode` (it holds what players typed). */
export function ensureDir(dir: string, mode: number): void {
  fs.mkdirSync(dir, { recursive: true, mode });
  if ((fs.statSync(dir).mode & 0o777) !== mode) fs.chmodSync(dir, mode);
}

// ---- the writer's lock -------------------------------------------------------------------------

/**
 * One process at a time appends to a trail: two writers would fork the chain. The lock is a real
 * OS lock on `audit.lock` (server/os_lock.ts), taken by the audit worker thread that writes: the
 * kernel drops it when the holder dies, so after a kill -9 the next server continues the chain at
 * once, and a live process that merely got a dead writer's pid again cannot hold it. A second
 * game in this process on the same log dir is refused too, until the first closes. Returns the
 * lock, or the holder's pid (-1 when unknown) as its pid file names it.
 */
export function acquireTrailLock(dir: string, fileMode: number): OsLock | number {
  const lock = OsLock.acquire(path.join(dir, LOCK_FILE), { mode: fileMode, pidFile: path.join(dir, LOCK_PID_FILE) });
  return lock instanceof OsLock ? lock : (lock.pid ?? -1);
}

// ---- recovering the head of the chain ------------------------------------------------------------

export interface TrailHead {
  /** seq and hash of the newest complete record, or null for an empty trail. */
  seq: number | null;
  hash: string | null;
  /** The file it was found in. */
  file: string | null;
  /** UTC day of the live file's first record (null: live file missing or empty). */
  liveDay: string | null;
  /** Bytes at the end of the live file after its last newline: a record cut short by a crash. */
  liveFragmentBytes: number;
  /** Lines (other than that fragment) that were skipped because they are not records. */
  notes: string[];
}

interface ParsedRecord {
  seq: number;
  hash: string;
  ts: unknown;
}

function parseRecord(line: string): ParsedRecord | null {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
    const { seq, hash } = value;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return null;
    if (typeof hash !== 'string' || !HASH_RE.test(hash)) return null;
    return { seq, hash, ts: value.ts };
  } catch {
    return null;
  }
}

const dayOf = (ts: unknown): string | null => (typeof ts === 'string' && /^\d{4}-\d{2}-\d{2}/.test(ts) ? ts.slice(0, 10) : null);

/** Reads `length` bytes at `position` of an open file. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** The last complete record of one file (reading backwards in growing chunks), and the fragment after it. */
function lastRecordOf(file: string): { record: ParsedRecord | null; fragmentBytes: number; skipped: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return { record: null, fragmentBytes: 0, skipped: 0 };
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const text = readAt(fd, start, size - start).toString('utf8');
      if (start > 0 && text.indexOf('\n') === text.lastIndexOf('\n')) {
        chunk *= 4; // not even one whole line in this chunk yet
        continue;
      }
      const lines = text.split('\n');
      const fragment = lines.pop()!; // '' after a final newline
      if (start > 0) lines.shift(); // may be cut at the front
      // Cut just before its newline, a record is whole: it is part of the chain.
      const whole = fragment ? parseRecord(fragment) : null;
      if (whole) return { record: whole, fragmentBytes: 0, skipped: 0 };
      let skipped = 0;
      for (let i = lines.length - 1; i >= 0; i--) {
        const record = parseRecord(lines[i]!);
        if (record) return { record, fragmentBytes: Buffer.byteLength(fragment), skipped };
        skipped++;
      }
      if (start === 0) return { record: null, fragmentBytes: Buffer.byteLength(fragment), skipped };
      chunk *= 4;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** UTC day of the first record of a file, or of its mtime when it has none. */
function firstDayOf(file: string): string | null {
  const fd = fs.openSync(file, 'r');
  try {
    const st = fs.fstatSync(fd);
    if (st.size === 0) return null;
    const text = readAt(fd, 0, Math.min(st.size, 64 * 1024)).toString('utf8');
    for (const line of text.split('\n').slice(0, 50)) {
      const record = parseRecord(line);
      if (record) return dayOf(record.ts) ?? st.mtime.toISOString().slice(0, 10);
    }
    return st.mtime.toISOString().slice(0, 10);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Finds where the chain stands: the newest complete record of the newest file that has one. A
 * line cut short by a crash at the end of the live file is reported (the writer puts it on a line
 * of its own before appending; audit-verify skips it when the chain links across it).
 */
export function recoverTrailHead(dir: string): TrailHead {
  const files = listTrailFiles(dir);
  const live = path.join(dir, LIVE_FILE);
  const head: TrailHead = { seq: null, hash: null, file: null, liveDay: null, liveFragmentBytes: 0, notes: [] };
  if (files.includes(live)) head.liveDay = firstDayOf(live);
  for (const file of [...files].reverse()) {
    const { record, fragmentBytes, skipped } = lastRecordOf(file);
    if (file === live) head.liveFragmentBytes = fragmentBytes;
    else if (fragmentBytes) head.notes.push(`${path.basename(file)} ends with an incomplete record (${fragmentBytes} bytes)`);
    if (skipped) head.notes.push(`${path.basename(file)}: ${skipped} line(s) after its last record are not records`);
    if (record) {
      head.seq = record.seq;
      head.hash = record.hash;
      head.file = file;
      break;
    }
  }
  return head;
}
