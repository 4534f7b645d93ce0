/**
 * Checkpoints of the audit trail's Merkle tree, in the C2SP tlog-checkpoint format
 * (https://c2sp.org/tlog-checkpoint) as a signed note (signed_note.ts):
 *
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n\n— <key name> <base64 signature>\n
 *
 * Kept in `logs/audit/checkpoints/`, one file per checkpoint named by its tree size (12 digits,
 * so a listing sorts oldest first). Beside them, two unsigned files that only save work:
 * `tree-state.json` (the frontier at the newest checkpoint, so a restart need not re-hash the
 * whole trail) and `pruned-base.json` (the frontier where retention cut the trail off). Neither
 * needs trust: a root recomputed from them and the records on disk either matches a signed
 * checkpoint or it does not (finding a frontier that matches for other records means a SHA-256
 * collision).
 */
import fs from 'node:fs';
import path from 'node:path';
import { namesIn } from '../jsonl_files.ts';
import { CompactRange } from './tree.ts';
import { openNote, signNote, type SigningKey, type VerifierKey } from './signed_note.ts';

export const CHECKPOINT_SUBDIR = 'checkpoints';
const NAME_RE = /^(\d{12,})(?:\.\d+)?\.checkpoint$/;
export const STATE_FILE = 'tree-state.json';
export const BASE_FILE = 'pruned-base.json';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** The whole signed note, as written. */
  note: string;
  /** Where it was read from (null for one just made). */
  file: string | null;
}

export function checkpointDirOf(auditDir: string): string {
  return path.join(auditDir, CHECKPOINT_SUBDIR);
}

export function checkpointName(size: number): string {
  return `${String(size).padStart(12, '0')}.checkpoint`;
}

/**
 * Where a checkpoint goes: its size's name, unless a different checkpoint of that size is there
 * (the trail was cut and grew back): then `<size>.N.checkpoint`, so signed evidence of the old
 * tree is never overwritten (audit-verify reports the two as a fork).
 */
export function checkpointFileFor(dir: string, cp: Pick<Checkpoint, 'size' | 'note'>): string {
  for (let n = 0; ; n++) {
    const file = path.join(dir, n === 0 ? checkpointName(cp.size) : `${String(cp.size).padStart(12, '0')}.${n}.checkpoint`);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') === cp.note) return file;
  }
}

export function makeCheckpoint(origin: string, size: number, root: Buffer, key: SigningKey): Checkpoint {
  const note = signNote(`${origin}\n${size}\n${root.toString('base64')}\n`, key);
  return { origin, size, root, note, file: null };
}

/** Parses a checkpoint note's text (not its signature: see openCheckpoint). */
export function parseCheckpoint(note: string, file: string | null = null): Checkpoint {
  const lines = note.split('\n');
  const [origin, size, root] = lines;
  if (!origin || !size || !/^\d+$/.test(size) || !root || !/^[A-Za-z0-9+/]{43}=$/.test(root)) {
    throw new Error(`${file ?? 'checkpoint'}: not a tlog checkpoint (origin, tree size, base64 root hash)`);
  }
  return { origin, size: Number(size), root: Buffer.from(root, 'base64'), note, file };
}

/** Parses and checks the signature; `signed` is false when no key in `keys` signed it. */
export function openCheckpoint(note: string, keys: readonly VerifierKey[], file: string | null = null): Checkpoint & { signed: boolean } {
  const cp = parseCheckpoint(note, file);
  const opened = openNote(note, keys);
  return { ...cp, signed: opened.verifiedBy.length > 0 && opened.bad.length === 0 };
}

/** Writes a file so that after a crash it is either the old one or the new one, whole. */
export function writeDurably(file: string, data: string, mode = 0o600): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // not every file system lets a directory be fsynced; the rename is still atomic
  }
}

/** Every checkpoint file in `dir`, oldest (smallest tree) first. */
export function listCheckpointFiles(dir: string): string[] {
  return namesIn(dir)
    .filter((n) => NAME_RE.test(n))
    .sort((a, b) => Number(NAME_RE.exec(a)![1]) - Number(NAME_RE.exec(b)![1]))
    .map((n) => path.join(dir, n));
}

/** The newest checkpoint on disk (no signature check), or null. */
export function latestCheckpoint(dir: string): Checkpoint | null {
  const files = listCheckpointFiles(dir);
  for (let i = files.length - 1; i >= 0; i--) {
    try {
      return parseCheckpoint(fs.readFileSync(files[i]!, 'utf8'), files[i]!);
    } catch {
      // a damaged file: the one before it
    }
  }
  return null;
}

/** The frontier at a tree size, and the record it ends with (seq and chain hash). */
export interface TreePoint {
  size: number;
  /** seq of the last leaf (0 for none). */
  lastSeq: number;
  /** Chain `hash` of that record, to recognise it in the files. */
  lastHash: string | null;
  frontier: CompactRange;
}

export function writeTreePoint(file: string, point: TreePoint, extra: Record<string, unknown> = {}): void {
  const body = { size: point.size, lastSeq: point.lastSeq, lastHash: point.lastHash, frontier: point.frontier.frontier.map((h) => h.toString('hex')), ...extra };
  writeDurably(file, `${JSON.stringify(body)}\n`);
}

/** Reads a tree-state or pruned-base file; null if missing or not one. */
export function readTreePoint(file: string): (TreePoint & Record<string, unknown>) | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const { size, lastSeq, lastHash, frontier } = raw;
  if (!Number.isSafeInteger(size) || !Number.isSafeInteger(lastSeq) || !Array.isArray(frontier)) return null;
  if (!frontier.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) return null;
  try {
    const range = new CompactRange(size as number, (frontier as string[]).map((h) => Buffer.from(h, 'hex')));
    return { ...raw, size: size as number, lastSeq: lastSeq as number, lastHash: typeof lastHash === 'string' ? lastHash : null, frontier: range };
  } catch {
    return null;
  }
}

export const emptyPoint = (): TreePoint => ({ size: 0, lastSeq: 0, lastHash: null, frontier: new CompactRange() });

/**
 * The origin line of this server's checkpoints (and the key's name): unique per log, without
 * spaces or '+' (tlog-checkpoint). MUD_SERVER_ID tells servers sharing a PostgreSQL apart too.
 */
export function checkpointOrigin(serverId: string): string {
  return `${serverId}/mud-audit`.replace(/[\s+]+/g, '-');
}
