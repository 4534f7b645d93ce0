/**
 * TTYPE cycling with MTTS (RFC 1091 + https://tintin.mudhalla.net/protocols/mtts/).
 *
 * Each IAC SB TTYPE SEND asks the client for its next terminal type. MTTS
 * clients answer: 1st the client name, 2nd the terminal type, 3rd
 * "MTTS <bitvector>". Plain RFC 1091 clients walk their list and then repeat
 * the last entry. We stop when a reply repeats, when an "MTTS " reply
 * arrives, or after MAX_SENDS requests, so a client can never keep us busy.
 */
import { MTTS } from './constants.ts';

export const MAX_TTYPE_SENDS = 4;

export interface TtypeStep {
  /** Reply arrived after the cycle ended (or before it began): ignored. */
  ignored: boolean;
  /** This was the first reply (the client name). */
  first: boolean;
  /** Caller should send another TTYPE SEND. */
  sendAgain: boolean;
}

export class MttsTracker {
  readonly types: string[] = [];
  mtts: number | null = null;
  private sends = 0;
  private done = false;

  /** Start the cycle; returns false if already started (send nothing). */
  begin(): boolean {
    if (this.sends > 0 || this.done) return false;
    this.sends = 1;
    return true;
  }

  get finished(): boolean {
    return this.done;
  }

  /**
   * Colour allowed? MTTS is authoritative when present (ANSI bit);
   * otherwise a terminal type of "dumb" means no colour.
   */
  get ansi(): boolean {
    if (this.mtts !== null) return (this.mtts & MTTS.ANSI) !== 0;
    return !this.types.some((t) => t.toLowerCase() === 'dumb');
  }

  reply(name: string, mtts: number | null): TtypeStep {
    if (this.done || this.sends === 0) return { ignored: true, first: false, sendAgain: false };
    const first = this.types.length === 0;
    const repeat = !first && this.types[this.types.length - 1] === name;
    if (!repeat) this.types.push(name);
    if (mtts !== null) this.mtts = mtts;
    if (repeat || mtts !== null || this.sends >= MAX_TTYPE_SENDS) {
      this.done = true;
      return { ignored: false, first, sendAgain: false };
    }
    this.sends++;
    return { ignored: false, first, sendAgain: true };
  }
}
