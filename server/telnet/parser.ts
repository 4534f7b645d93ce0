/**
 * Pure, bounded telnet input state machine (RFC 854 / RFC 855).
 *
 * Feed it raw socket Buffers; it returns the events found in that chunk:
 * runs of data bytes (IAC IAC already collapsed to one 0xFF), bare commands
 * (IAC NOP, IAC GA, ...), negotiations (IAC WILL/WONT/DO/DONT <opt>) and
 * complete subnegotiations (IAC SB <opt> ... IAC SE).
 *
 * Memory is bounded: data is never buffered here (each chunk's data is
 * returned with that chunk), and a subnegotiation body is capped at
 * `maxSubnegotiation` bytes. An oversized body is dropped and reported once
 * its IAC SE arrives, so the parser resynchronises at IAC SE.
 *
 * Malformed input never wedges the machine: `IAC <cmd>` inside SB (anything
 * other than IAC IAC or IAC SE) is a protocol error, so the unfinished
 * subnegotiation is discarded and <cmd> is handled as if it followed IAC in
 * the data stream (the same recovery libtelnet uses). A client that opens SB
 * and then only sends text therefore recovers at its next telnet command.
 */
import { IAC, SB, SE, isNegotiationVerb, type NegotiationVerb } from './constants.ts';

export type TelnetEvent =
  | { type: 'data'; data: Buffer }
  | { type: 'command'; command: number }
  | { type: 'negotiate'; verb: NegotiationVerb; option: number }
  | { type: 'sb'; option: number; data: Buffer }
  /** A subnegotiation exceeded the cap; its body was discarded. */
  | { type: 'sb-overflow'; option: number }
  /** A subnegotiation was cut short by `IAC <cmd>`; its body was discarded. */
  | { type: 'sb-aborted'; option: number };

const S = {
  DATA: 0,
  IAC: 1,
  /** After IAC WILL/WONT/DO/DONT: the next byte is the option. */
  NEG: 2,
  /** After IAC SB: the next byte is the option. */
  SB_OPT: 3,
  SB_DATA: 4,
  /** IAC seen inside SB. */
  SB_IAC: 5,
} as const;
type State = (typeof S)[keyof typeof S];

export const DEFAULT_MAX_SUBNEGOTIATION = 8192;

export class TelnetParser {
  private state: State = S.DATA;
  private verb: NegotiationVerb = 251;
  private sbOption = 0;
  private sbBuf: Buffer = Buffer.alloc(0);
  private sbLen = 0;
  private sbOverflow = false;

  /** Data runs of the chunk being parsed; concatenated once per event boundary. */
  private runs: Buffer[] = [];

  constructor(readonly maxSubnegotiation: number = DEFAULT_MAX_SUBNEGOTIATION) {
    if (!(maxSubnegotiation >= 0)) throw new RangeError('maxSubnegotiation must be >= 0');
  }

  /** Bytes currently held for an unfinished subnegotiation (for limits/tests). */
  get pendingBytes(): number {
    return this.sbLen;
  }

  /** True while inside IAC SB ... (waiting for IAC SE). */
  get inSubnegotiation(): boolean {
    return this.state === S.SB_OPT || this.state === S.SB_DATA || this.state === S.SB_IAC;
  }

  feed(chunk: Buffer): TelnetEvent[] {
    const out: TelnetEvent[] = [];
    const len = chunk.length;
    let i = 0;
    // Start of the current data run in DATA state, or -1 when not in a run.
    let runStart = this.state === S.DATA ? 0 : -1;

    while (i < len) {
      const b = chunk[i]!;
      switch (this.state) {
        case S.DATA: {
          // Fast scan to the next IAC; everything before it is data.
          const next = chunk.indexOf(IAC, i);
          if (next === -1) {
            i = len;
            continue;
          }
          if (next > runStart) this.runs.push(chunk.subarray(runStart, next));
          runStart = -1;
          this.state = S.IAC;
          i = next + 1;
          continue;
        }
        case S.IAC:
          i++;
          if (b === IAC) {
            // RFC 854: IAC IAC is one literal 0xFF. Start the next run at the
            // second IAC so the 0xFF is carried without a copy.
            this.state = S.DATA;
            runStart = i - 1;
          } else {
            this.dispatchAfterIac(b, out);
            if ((this.state as State) === S.DATA) runStart = i;
          }
          continue;
        case S.NEG:
          i++;
          this.flushRuns(out);
          out.push({ type: 'negotiate', verb: this.verb, option: b });
          this.state = S.DATA;
          runStart = i;
          continue;
        case S.SB_OPT:
          i++;
          if (b === IAC) {
            // "IAC SB IAC": no option byte; treat the IAC as a fresh command start.
            this.state = S.IAC;
            continue;
          }
          this.sbOption = b;
          this.sbLen = 0;
          this.sbOverflow = false;
          this.state = S.SB_DATA;
          continue;
        case S.SB_DATA: {
          const next = chunk.indexOf(IAC, i);
          const end = next === -1 ? len : next;
          this.sbAppend(chunk, i, end);
          if (next === -1) {
            i = len;
          } else {
            this.state = S.SB_IAC;
            i = next + 1;
          }
          continue;
        }
        case S.SB_IAC:
          i++;
          if (b === IAC) {
            this.sbAppend(chunk, i - 1, i);
            this.state = S.SB_DATA;
          } else if (b === SE) {
            this.finishSb(out);
            this.state = S.DATA;
            runStart = i;
          } else {
            // RFC 855 only allows IAC IAC and IAC SE inside SB. Abort the SB
            // and reinterpret this byte as a command so we cannot wedge.
            this.flushRuns(out);
            out.push({ type: 'sb-aborted', option: this.sbOption });
            this.resetSb();
            this.dispatchAfterIac(b, out);
            if ((this.state as State) === S.DATA) runStart = i;
          }
          continue;
      }
    }
    if (this.state === S.DATA && runStart !== -1 && runStart < len) {
      this.runs.push(chunk.subarray(runStart, len));
    }
    this.flushRuns(out);
    return out;
  }

  /** Handle the byte that follows IAC outside a subnegotiation. */
  private dispatchAfterIac(b: number, out: TelnetEvent[]): void {
    if (isNegotiationVerb(b)) {
      this.verb = b;
      this.state = S.NEG;
    } else if (b === SB) {
      this.state = S.SB_OPT;
    } else if (b === SE) {
      // Stray IAC SE outside SB: ignore.
      this.state = S.DATA;
    } else {
      this.flushRuns(out);
      out.push({ type: 'command', command: b });
      this.state = S.DATA;
    }
  }

  private flushRuns(out: TelnetEvent[]): void {
    const runs = this.runs;
    if (runs.length === 0) return;
    const data = runs.length === 1 ? runs[0]! : Buffer.concat(runs);
    this.runs = [];
    out.push({ type: 'data', data });
  }

  private sbAppend(chunk: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0 || this.sbOverflow) return;
    if (this.sbLen + n > this.maxSubnegotiation) {
      // Over the cap: drop what we have and ignore the rest until IAC SE.
      this.sbOverflow = true;
      this.sbLen = 0;
      this.sbBuf = Buffer.alloc(0);
      return;
    }
    if (this.sbLen + n > this.sbBuf.length) {
      // Grow geometrically, never beyond the cap.
      const size = Math.min(this.maxSubnegotiation, Math.max(64, this.sbBuf.length * 2, this.sbLen + n));
      const grown = Buffer.allocUnsafe(size);
      this.sbBuf.copy(grown, 0, 0, this.sbLen);
      this.sbBuf = grown;
    }
    chunk.copy(this.sbBuf, this.sbLen, start, end);
    this.sbLen += n;
  }

  private finishSb(out: TelnetEvent[]): void {
    this.flushRuns(out);
    if (this.sbOverflow) {
      out.push({ type: 'sb-overflow', option: this.sbOption });
    } else {
      // Copy: the body buffer is reused for the next subnegotiation.
      out.push({ type: 'sb', option: this.sbOption, data: Buffer.from(this.sbBuf.subarray(0, this.sbLen)) });
    }
    this.resetSb();
  }

  private resetSb(): void {
    this.sbLen = 0;
    this.sbOverflow = false;
    // Release large buffers so an idle connection does not pin 8 KiB.
    if (this.sbBuf.length > 256) this.sbBuf = Buffer.alloc(0);
  }
}
