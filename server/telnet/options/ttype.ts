/**
 * TTYPE, terminal type (RFC 1091), with MTTS on top
 * (https://tintin.mudhalla.net/protocols/mtts/).
 *
 * We ask for it (DO TTYPE); once the client agrees, each IAC SB TTYPE SEND
 * asks for its next terminal type. MTTS clients answer: 1st the client name,
 * 2nd the terminal type, 3rd "MTTS <bitvector>". Plain RFC 1091 clients walk
 * their list and then repeat the last entry. We stop when a reply repeats,
 * when an "MTTS " reply arrives, or after MAX_TTYPE_SENDS requests, so a
 * client can never keep us busy.
 */
import { MTTS, OPT, TTYPE_IS, TTYPE_SEND } from '../constants.ts';
import { subnegotiation } from '../wire.ts';
import { cleanName, type TelnetOption } from './option.ts';

export const MAX_TTYPE_SENDS = 4;

/** RFC 1091: IAC SB TTYPE SEND IAC SE. */
export function ttypeSend(): Buffer {
  return subnegotiation(OPT.TTYPE, [TTYPE_SEND]);
}

/** RFC 1091: IS <name>. */
export function parseTtypeIs(body: Buffer): string | null {
  if (body.length < 1 || body[0] !== TTYPE_IS) return null;
  return cleanName(body.subarray(1).toString('latin1'));
}

/** MTTS: terminal type "MTTS <bitvector>". */
export function parseMtts(ttype: string): number | null {
  const m = /^MTTS (\d{1,10})$/i.exec(ttype);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

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

export const TTYPE: TelnetOption = {
  code: OPT.TTYPE,
  offer: ['remote'],
  accept: ['remote'],
  attach(host) {
    const tracker = new MttsTracker();
    return {
      changed(side, enabled) {
        // RFC 1091: the server asks with SEND once the client is WILL TTYPE.
        if (side === 'remote' && enabled && tracker.begin()) host.send(ttypeSend());
      },
      subnegotiation(body) {
        const name = parseTtypeIs(body);
        if (name === null) return;
        const step = tracker.reply(name, parseMtts(name));
        if (step.ignored) return;
        const client = host.client;
        client.terminalTypes = tracker.types.slice();
        client.mtts = tracker.mtts;
        client.ansi = tracker.ansi;
        if (step.first && name.length > 0) client.clientName = name;
        if (step.sendAgain) host.send(ttypeSend());
        if (step.first && client.clientName !== null) host.emit('ttype', client.clientName);
      },
    };
  },
};
