/**
 * BINARY, 8-bit clean transmission (RFC 856).
 *
 * We ask for DO BINARY: Debian's telnet then sends our players' UTF-8 8-bit
 * clean (without it a typed "☃" arrives mangled). We do not offer WILL
 * BINARY: a telnet client that agrees switches its terminal's output
 * processing off (no OPOST), so its local echo of Enter moves down without a
 * carriage return and every reply is stair-stepped. Our output is UTF-8
 * either way; a client that asks with DO BINARY still gets it.
 */
import { OPT } from '../constants.ts';
import type { TelnetOption } from './option.ts';

export const BINARY: TelnetOption = {
  code: OPT.BINARY,
  offer: ['remote'],
  accept: ['local', 'remote'],
};
