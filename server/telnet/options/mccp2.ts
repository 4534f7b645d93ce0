/**
 * MCCP2, MUD Client Compression Protocol v2 (https://tintin.mudhalla.net/protocols/mccp/).
 *
 * We offer WILL MCCP2; when the client agrees (DO MCCP2) the output pipeline
 * sends mccp2Start() uncompressed and deflates everything after it; DONT
 * MCCP2 ends the stream. The zlib side lives in output.ts.
 */
import { OPT } from '../constants.ts';
import { subnegotiation } from '../wire.ts';
import type { TelnetOption } from './option.ts';

/** IAC SB MCCP2 IAC SE: the last uncompressed bytes before the deflate stream. */
export function mccp2Start(): Buffer {
  return subnegotiation(OPT.MCCP2);
}

export const MCCP2: TelnetOption = {
  code: OPT.MCCP2,
  offer: ['local'],
  accept: ['local'],
  attach: (host) => ({
    changed(side, enabled) {
      if (side !== 'local') return;
      if (enabled) host.startCompression();
      else host.stopCompression();
    },
  }),
};
