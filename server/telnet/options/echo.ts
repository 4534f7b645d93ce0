/**
 * ECHO (RFC 857): the side that is WILL ECHO echoes what the other types.
 *
 * We never agree to a client's DO ECHO on our own, and the client never
 * echoes for us. The connection announces WILL ECHO only around password
 * prompts, without waiting for agreement (OptionNegotiator.forceLocal), so
 * the client stops its local echo; WONT ECHO turns its echo back on.
 */
import { OPT } from '../constants.ts';
import type { TelnetOption } from './option.ts';

export const ECHO: TelnetOption = {
  code: OPT.ECHO,
  offer: [],
  accept: [],
};
