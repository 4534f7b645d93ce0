/**
 * EOR, end of record (RFC 885). We offer WILL EOR: MUD clients use IAC EOR
 * to know where a prompt ends, since it has no newline.
 */
import { EOR_CMD, GA, IAC, OPT } from '../constants.ts';
import type { TelnetOption } from './option.ts';

export const EOR: TelnetOption = {
  code: OPT.EOR,
  offer: ['local'],
  accept: ['local'],
};

const EOR_MARK = Buffer.from([IAC, EOR_CMD]);
const GA_MARK = Buffer.from([IAC, GA]);

/**
 * What follows a prompt: IAC EOR when the client agreed to EOR (RFC 885);
 * otherwise IAC GA (RFC 854), unless the client asked us to suppress
 * go-ahead (RFC 858). `isLocal` is the negotiated state of our side.
 */
export function promptMark(isLocal: (opt: number) => boolean): Buffer | null {
  if (isLocal(OPT.EOR)) return EOR_MARK;
  if (!isLocal(OPT.SGA)) return GA_MARK;
  return null;
}
