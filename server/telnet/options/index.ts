/**
 * The table of telnet options this layer supports, and the per-connection
 * dispatcher the connection consults instead of per-option switches.
 *
 * Adding an option is one module and one line in OPTIONS. Order matters only
 * for the initial offers, which go out in table order in one packet. Any
 * option not listed is refused (once per side, see negotiation.ts).
 */
import type { Side } from '../negotiation.ts';
import { BINARY } from './binary.ts';
import { CHARSET } from './charset.ts';
import { ECHO } from './echo.ts';
import { EOR } from './eor.ts';
import { GMCP } from './gmcp.ts';
import { MCCP2 } from './mccp2.ts';
import { MSSP } from './mssp.ts';
import { NAWS } from './naws.ts';
import { NEW_ENVIRON } from './new_environ.ts';
import type { OptionHooks, OptionHost, TelnetOption } from './option.ts';
import { SGA } from './sga.ts';
import { TTYPE } from './ttype.ts';

export const OPTIONS: readonly TelnetOption[] = [TTYPE, NAWS, NEW_ENVIRON, BINARY, ECHO, SGA, EOR, CHARSET, MSSP, GMCP, MCCP2];

interface Attached {
  readonly option: TelnetOption;
  readonly hooks: OptionHooks;
}

/** The options one connection supports, indexed by option byte. */
export class ConnectionOptions {
  private readonly byCode = new Array<Attached | undefined>(256);
  private readonly order: Attached[] = [];

  constructor(host: OptionHost, options: readonly TelnetOption[] = OPTIONS) {
    for (const option of options) {
      if (option.available && !option.available(host)) continue;
      const attached = { option, hooks: option.attach?.(host) ?? {} };
      this.byCode[option.code] = attached;
      this.order.push(attached);
    }
  }

  /** May `side` of `opt` be enabled because the client asked? */
  accepts(side: Side, opt: number): boolean {
    return this.byCode[opt]?.option.accept.includes(side) ?? false;
  }

  /** The initial offers, in table order. */
  *offers(): Iterable<[Side, number]> {
    for (const { option } of this.order) for (const side of option.offer) yield [side, option.code];
  }

  changed(side: Side, opt: number, enabled: boolean): void {
    this.byCode[opt]?.hooks.changed?.(side, enabled);
  }

  refused(side: Side, opt: number): void {
    this.byCode[opt]?.hooks.refused?.(side);
  }

  /** Subnegotiations for options we do not support are dropped. */
  subnegotiation(opt: number, body: Buffer): void {
    this.byCode[opt]?.hooks.subnegotiation?.(body);
  }
}
