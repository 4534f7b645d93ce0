/**
 * Output encoding: game text -> NVT bytes. The frames each option sends live
 * in its module under options/ and are re-exported here for existing callers.
 */
import { escapeIac } from './wire.ts';

export { escapeIac } from './wire.ts';
export { charsetRequest } from './options/charset.ts';
export { gmcpFrame } from './options/gmcp.ts';
export { msspFrame } from './options/mssp.ts';

/** ANSI SGR (colour/attribute) sequences: ESC [ params m. */
const SGR = /\x1b\[[0-9;:]*m/g;

/** Remove ANSI SGR sequences (for clients without colour). */
export function stripSgr(text: string): string {
  return text.includes('\x1b') ? text.replace(SGR, '') : text;
}

/**
 * Newlines to NVT form (RFC 854): "\n" and "\r\n" become CR LF, and a lone
 * "\r" becomes CR NUL, the NVT spelling of "carriage return without newline".
 */
export function toNvtNewlines(text: string): string {
  // Game text almost never holds a CR: one native replaceAll, not a regex with a callback per
  // newline (the portal's profile had this at a tenth of its time).
  if (!text.includes('\r')) return text.includes('\n') ? text.replaceAll('\n', '\r\n') : text;
  return text.replace(/\r\n|\r|\n/g, (m) => (m === '\r' ? '\r\0' : '\r\n'));
}

/**
 * Encode a string for the wire. Latin-1 clients (CHARSET REJECTED) get '?'
 * for characters Latin-1 cannot represent rather than Buffer's silent
 * truncation to the low byte.
 */
export function encodeString(text: string, utf8: boolean): Buffer {
  if (utf8) return Buffer.from(text, 'utf8');
  // eslint-disable-next-line no-control-regex
  return Buffer.from(text.replace(/[^\x00-\xff]/gu, '?'), 'latin1');
}

export interface TextEncodingOptions {
  ansi: boolean;
  utf8: boolean;
}

/** Full game-text pipeline: colour stripping, NVT newlines, charset, IAC doubling. */
export function encodeText(text: string, opts: TextEncodingOptions): Buffer {
  let t = opts.ansi ? text : stripSgr(text);
  t = toNvtNewlines(t);
  return escapeIac(encodeString(t, opts.utf8));
}
