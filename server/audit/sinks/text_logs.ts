/**
 * The text audit logs (command_audit.log, movement_audit.log, player_activity.log,
 * admin_actions.log, chat.log, and the event lines of server.log and portal.log) as a sink.
 *
 * Their lines carry no seq, so exactly-once after a crash works like this: after each batch is
 * written, a cursor file records the batch's last seq and, for every log file, its inode and
 * size. Whatever a file holds beyond that size was written after the cursor: on the next start,
 * the events after the cursor are rendered again and each one already in that region (same
 * text, same order) is skipped instead of written twice. A line cut short at the very end of a
 * live file is cut off first, so it cannot glue itself to the next one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatTimestamp, LOG_SPECS, renderLine, type GameLogs, type LoggerName, type LogSpec } from '../../logging/index.ts';
import { describe } from './text_lines.ts';
import type { DeliverySink, OutboxEvent, SinkReporter } from './sink.ts';

export const TEXT_CURSOR_FILE = '.text_logs.cursor';

interface FileMark {
  ino: number;
  size: number;
}

interface Cursor {
  seq: number;
  files: Record<string, FileMark>;
}

export interface TextLogsSinkOptions {
  logs: GameLogs;
  dir: string;
  fileMode: number;
  report: SinkReporter;
  /** Which logs are on (LogConfig.enabled). */
  enabled: Readonly<Record<LogSpec['switch'], boolean>>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class TextLogsSink implements DeliverySink {
  readonly name = 'text';
  private readonly cursorFile: string;
  /** Per log file: the lines found after the cursor at start-up, and how far they matched. */
  private written = new Map<string, { lines: string[]; at: number }>();
  private lastError: string | null = null;
  /** What this process has written: authoritative while it lives (the file may lag behind it). */
  private seq: number | null = null;
  private cursorTrouble = false;

  constructor(private readonly opts: TextLogsSinkOptions) {
    this.cursorFile = path.join(opts.dir, TEXT_CURSOR_FILE);
  }

  async open(): Promise<number> {
    if (this.seq !== null) return this.seq;
    const cursor = this.readCursor();
    this.seq = cursor?.seq ?? 0;
    if (!cursor) {
      // The first start: mark where every log file ends before any event is written, so that a
      // crash before the first batch's cursor is saved still finds that batch's lines after a
      // mark (without one, none is recognised and every one is written again). A file not there
      // yet is created now, empty, to be marked: its stream opens it moments later, and does
      // not wait for it here, so the first batch still comes before the server's own lines.
      this.createMissingFiles();
      this.trySaveCursor(0);
      return 0;
    }
    this.written.clear();
    for (const [file, mark] of Object.entries(cursor.files)) {
      const lines = this.linesAfter(file, mark);
      if (lines.length) this.written.set(file, { lines, at: 0 });
    }
    return cursor.seq;
  }

  async write(events: readonly OutboxEvent[]): Promise<void> {
    const { logs } = this.opts;
    for (const { event } of events) {
      const line = describe(event);
      if (!line) continue;
      const at = Date.parse(event.ts);
      if (this.alreadyWritten(line.logger, line.level, line.message, at)) continue;
      logs.get(line.logger)[line.level](line.message, at);
    }
    await logs.flush();
    // A file that cannot be written keeps its lines and retries by itself; the batch counts as
    // written once they are really in the file, so the cursor never runs ahead of the disk.
    while (logs.failing().length) {
      this.lastError = `cannot write ${logs.failing().map((f) => path.basename(f)).join(', ')}`;
      await sleep(250);
      await logs.flush();
    }
    this.lastError = null;
    this.seq = events[events.length - 1]!.seq;
    // The lines are written; only the crash-recovery mark may lag. Next batch tries again, and a
    // crash meanwhile recovers from the older mark (what follows it is matched, not repeated).
    this.trySaveCursor(this.seq);
  }

  private trySaveCursor(seq: number): void {
    try {
      this.saveCursor(seq);
      if (this.cursorTrouble) this.opts.report.info('The text logs\' cursor file is written again');
      this.cursorTrouble = false;
    } catch (error) {
      if (!this.cursorTrouble) this.opts.report.warn(`The text logs' cursor file cannot be written: ${(error as Error).message}`);
      this.cursorTrouble = true;
    }
  }

  status(): { failing: boolean; lastError: string | null } {
    return { failing: this.opts.logs.failing().length > 0, lastError: this.lastError };
  }

  async close(): Promise<void> {
    // The logs themselves are closed by their owner (they also carry the server's own lines).
  }

  private alreadyWritten(logger: LoggerName, level: 'info' | 'warn', message: string, at: number): boolean {
    if (this.written.size === 0) return false;
    const spec = LOG_SPECS[logger];
    const found = this.written.get(spec.file);
    if (!found) return false;
    const text = renderLine(spec.layout, formatTimestamp(new Date(at)), logger, level, message);
    const index = found.lines.indexOf(text, found.at);
    if (index < 0) {
      // Lines reach a file in seq order: once one is missing, none after it is there.
      this.written.delete(spec.file);
      return false;
    }
    found.at = index + 1;
    return true;
  }

  private createMissingFiles(): void {
    for (const spec of Object.values(LOG_SPECS)) {
      if (!this.opts.enabled[spec.switch]) continue;
      try {
        fs.closeSync(fs.openSync(path.join(this.opts.dir, spec.file), 'a', this.opts.fileMode));
      } catch {
        // its stream reports the trouble; unmarked, as before
      }
    }
  }

  private readCursor(): Cursor | null {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.cursorFile, 'utf8')) as Cursor;
      return Number.isInteger(parsed.seq) && parsed.files && typeof parsed.files === 'object' ? parsed : null;
    } catch {
      return null;
    }
  }

  /** Atomically: a crash leaves the old cursor or the new one, never half of one. */
  private saveCursor(seq: number): void {
    const files: Record<string, FileMark> = {};
    for (const spec of Object.values(LOG_SPECS)) {
      try {
        const st = fs.statSync(path.join(this.opts.dir, spec.file));
        files[spec.file] = { ino: st.ino, size: st.size };
      } catch {
        // not created (log off) or gone: nothing of it to recognise later
      }
    }
    const tmp = `${this.cursorFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ seq, files }), { mode: this.opts.fileMode });
    fs.renameSync(tmp, this.cursorFile);
  }

  /**
   * The complete lines written to `file` since `mark`: the rest of the file that had the marked
   * inode (live then, perhaps rotated aside since) and every file of that log written after it.
   */
  private linesAfter(file: string, mark: FileMark): string[] {
    const dir = this.opts.dir;
    let siblings: Array<{ full: string; st: fs.Stats }>;
    try {
      siblings = fs
        .readdirSync(dir)
        .filter((name) => name === file || name.startsWith(`${file}.`))
        .filter((name) => !name.endsWith('.tmp'))
        .map((name) => ({ full: path.join(dir, name), st: fs.statSync(path.join(dir, name)) }));
    } catch {
      return [];
    }
    const marked = siblings.find((s) => s.st.ino === mark.ino);
    if (!marked) return [];
    // Oldest first by the rotation names, not by mtime: files rotated within one clock tick of a
    // coarse filesystem would tie. The marked file and everything rotated after it follow.
    const ordered = siblings.sort((a, b) => rotationAge(path.basename(b.full), file) - rotationAge(path.basename(a.full), file));
    const newer = ordered.slice(ordered.indexOf(marked) + 1);
    const live = path.join(dir, file);
    let text = readFrom(marked.full, mark.size);
    for (const s of newer) text += readFrom(s.full, 0);
    const cut = text.lastIndexOf('\n') + 1;
    if (cut < text.length) {
      this.opts.report.warn(`${file} ended with an incomplete line (${text.length - cut} bytes, cut off mid-write by a crash); removed, the event is written again whole`);
      try {
        const st = fs.statSync(live);
        fs.truncateSync(live, st.size - Buffer.byteLength(text.slice(cut)));
      } catch {
        // nothing to cut
      }
      text = text.slice(0, cut);
    }
    return text.split('\n').slice(0, -1);
  }
}

/**
 * How old a log's file is by its name, larger = older: the live file 0, `name.N` N (size
 * rotation: .1 is the newest), `name.YYYY-MM-DD[.N]` by its day (daily rotation).
 */
function rotationAge(name: string, live: string): number {
  if (name === live) return 0;
  const suffix = name.slice(live.length + 1);
  const day = /^(\d{4}-\d{2}-\d{2})(?:\.(\d+))?$/.exec(suffix);
  if (day) return 1e12 - Date.parse(`${day[1]}T00:00:00Z`) / 1000 - Number(day[2] ?? 0) / 1000;
  return /^\d+$/.test(suffix) ? Number(suffix) : Number.MAX_SAFE_INTEGER;
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(Math.min(offset, buf.length)).toString('utf8');
  } catch {
    return '';
  }
}

/** The seq the text logs' cursor records, 0 without one (the game numbers new events after it). */
export function readTextCursorSeq(logDir: string): number {
  try {
    const seq = (JSON.parse(fs.readFileSync(path.join(logDir, TEXT_CURSOR_FILE), 'utf8')) as Cursor).seq;
    return Number.isInteger(seq) ? seq : 0;
  } catch {
    return 0;
  }
}
