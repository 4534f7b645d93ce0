/**
 * SGA, suppress go-ahead (RFC 858). We never offer it, so prompts keep their
 * IAC GA for clients without EOR; a client that asks for it on either side
 * gets it, and then no GA follows our prompts (see eor.ts).
 */
import { OPT } from '../constants.ts';
import type { TelnetOption } from './option.ts';

export const SGA: TelnetOption = {
  code: OPT.SGA,
  offer: [],
  accept: ['local', 'remote'],
};
