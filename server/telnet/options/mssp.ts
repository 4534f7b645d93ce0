/**
 * MSSP, MUD Server Status Protocol (https://tintin.mudhalla.net/protocols/mssp/).
 *
 * Offered (WILL MSSP) only when the connection was given a status table; when
 * a crawler agrees (DO MSSP) we send the table once as a subnegotiation.
 */
import { MSSP_VAL, MSSP_VAR, OPT } from '../constants.ts';
import { subnegotiation } from '../wire.ts';
import type { TelnetOption } from './option.ts';

/** NUL, MSSP_VAR and MSSP_VAL would break MSSP framing, so they are dropped (IAC is doubled by subnegotiation()). */
function msspClean(s: string): Buffer {
  return Buffer.from(String(s).replace(/[\x00\x01\x02]/g, ''), 'utf8');
}

/** IAC SB MSSP (MSSP_VAR name (MSSP_VAL value)+)* IAC SE. */
export function msspFrame(table: Record<string, string | readonly string[]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(table)) {
    const values = Array.isArray(value) ? value : [value as string];
    if (name.length === 0 || values.length === 0) continue;
    parts.push(Buffer.from([MSSP_VAR]), msspClean(name));
    for (const v of values) parts.push(Buffer.from([MSSP_VAL]), msspClean(v));
  }
  return subnegotiation(OPT.MSSP, Buffer.concat(parts));
}

export const MSSP: TelnetOption = {
  code: OPT.MSSP,
  offer: ['local'],
  accept: ['local'],
  available: (host) => host.mssp !== undefined,
  attach: (host) => ({
    changed(side, enabled) {
      if (side !== 'local' || !enabled || !host.mssp) return;
      let table: Record<string, string | string[]> | null = null;
      try {
        table = host.mssp();
      } catch {
        table = null; // A broken status callback must not kill the connection.
      }
      if (table) host.send(msspFrame(table));
    },
  }),
};
