/**
 * Input line splitter for the telnet data stream.
 *
 * Accepts every line ending real clients send (RFC 854 NVT says CR LF, and
 * CR NUL for a bare carriage return, but Debian's telnet in BINARY mode sends
 * bare LF, some clients send bare CR, and a few send LF CR):
 *   CR LF, CR NUL, bare CR, bare LF, LF CR.
 * A line is emitted as soon as its CR or LF arrives; the partner byte that may
 * follow (possibly in the next packet) is swallowed, so CR | LF split across
 * two packets does not produce an extra empty line.
 *
 * Decoding: CR and LF are ASCII and never occur inside a UTF-8 multi-byte
 * sequence, so splitting on bytes first is safe. Each line's bytes are fed to
 * a StringDecoder, which carries an incomplete sequence across packets (the
 * "é split over two writes" case); end() at the terminator turns a truncated
 * sequence into U+FFFD instead of leaking it into the next line.
 *
 * Bounded: at most `maxLineBytes` bytes of one line are held. When a line
 * exceeds it, an 'overlong' result is produced immediately and the rest of the
 * line (up to its terminator) is discarded.
 */
import { StringDecoder } from 'node:string_decoder';

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/**
 * A line, with `invalidUtf8` when its bytes were not UTF-8 (each bad sequence became U+FFFD) and
 * its size in bytes; or a line over the cap, with the text it began with (`head`).
 */
export type LineResult = { type: 'line'; line: string; bytes: number; invalidUtf8?: true } | { type: 'overlong'; head: string };

/** U+FFFD as UTF-8: a client may type the replacement character itself, which is no error. */
const REPLACEMENT = Buffer.from('\ufffd', 'utf8');
export type InputEncoding = 'utf8' | 'latin1';

export const DEFAULT_MAX_LINE_BYTES = 4096;

export class LineSplitter {
  private decoder: StringDecoder;
  private text = '';
  private bytes = 0;
  private discarding = false;
  /** The unfinished line had bytes that are not UTF-8. */
  private invalid = false;
  /** The previous byte was a terminator whose partner (LF/NUL or CR) may follow. */
  private pending: 'cr' | 'lf' | null = null;

  constructor(
    readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
    private encoding: InputEncoding = 'utf8',
  ) {
    this.decoder = new StringDecoder(encoding);
  }

  /** Bytes of the unfinished line currently held. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Switch input decoding (CHARSET result). Text already decoded is kept. */
  setEncoding(encoding: InputEncoding): void {
    if (encoding === this.encoding) return;
    this.text += this.decoder.end();
    this.encoding = encoding;
    this.decoder = new StringDecoder(encoding);
  }

  /** RFC 854 IAC EC: erase the last character of the unfinished line. */
  eraseChar(): void {
    if (this.discarding) return;
    this.text = dropLastChar(this.text);
  }

  /** RFC 854 IAC EL: erase the unfinished line. */
  eraseLine(): void {
    this.decoder.end();
    this.text = '';
    this.bytes = 0;
    this.discarding = false;
    this.invalid = false;
  }

  push(buf: Buffer): LineResult[] {
    const out: LineResult[] = [];
    const len = buf.length;
    let i = 0;
    while (i < len) {
      if (this.pending !== null) {
        const b = buf[i]!;
        const partner = this.pending === 'cr' ? b === LF || b === NUL : b === CR;
        this.pending = null;
        if (partner) {
          i++;
          continue;
        }
      }
      let j = i;
      while (j < len) {
        const b = buf[j]!;
        if (b === CR || b === LF) break;
        j++;
      }
      if (j > i) this.append(buf.subarray(i, j), out);
      if (j === len) break;
      this.pending = buf[j] === CR ? 'cr' : 'lf';
      this.finishLine(out);
      i = j + 1;
    }
    return out;
  }

  private append(seg: Buffer, out: LineResult[]): void {
    if (this.discarding) return;
    if (this.bytes + seg.length > this.maxLineBytes) {
      this.discarding = true;
      const head = this.text + this.decoder.write(seg.subarray(0, 64));
      this.decoder.end();
      this.text = '';
      this.bytes = 0;
      this.invalid = false;
      out.push({ type: 'overlong', head });
      return;
    }
    this.bytes += seg.length;
    const text = this.decoder.write(seg);
    // The decoder turns each sequence that is not UTF-8 into U+FFFD; one the client sent as such
    // is not an error. (A real U+FFFD split across two packets is counted as one: rare, harmless.)
    if (this.encoding === 'utf8' && text.includes('\ufffd') && !seg.includes(REPLACEMENT)) this.invalid = true;
    this.text += text;
  }

  private finishLine(out: LineResult[]): void {
    if (this.discarding) {
      // The overlong line ends here; it was already reported.
      this.discarding = false;
      return;
    }
    // A sequence cut short by the line's end is not UTF-8 either.
    const tail = this.decoder.end();
    const invalid = this.invalid || (this.encoding === 'utf8' && tail.includes('\ufffd'));
    const raw = this.text + tail;
    const bytes = this.bytes;
    this.text = '';
    this.bytes = 0;
    this.invalid = false;
    out.push(invalid ? { type: 'line', line: sanitizeLine(raw), bytes, invalidUtf8: true } : { type: 'line', line: sanitizeLine(raw), bytes });
  }
}

function dropLastChar(s: string): string {
  if (s.length === 0) return s;
  const last = s.charCodeAt(s.length - 1);
  // Remove a whole surrogate pair, not half of it.
  const cut = last >= 0xdc00 && last <= 0xdfff && s.length >= 2 ? 2 : 1;
  return s.slice(0, s.length - cut);
}

/**
 * Apply backspace/DEL (character-mode clients send them raw) and strip other
 * C0/C1 control characters except TAB. Removing ESC in particular stops a
 * player from injecting ANSI sequences into other players' terminals.
 */
export function sanitizeLine(raw: string): string {
  // Fast path: nothing to do for ordinary text.
  if (!/[\x00-\x08\x0a-\x1f\x7f-\x9f]/.test(raw)) return raw;
  let out = '';
  for (const ch of raw) {
    const c = ch.codePointAt(0)!;
    if (c === 0x08 || c === 0x7f) {
      out = dropLastChar(out);
    } else if ((c < 0x20 && c !== 0x09) || (c >= 0x80 && c <= 0x9f)) {
      continue;
    } else {
      out += ch;
    }
  }
  return out;
}
