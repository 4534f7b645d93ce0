/**
 * Output encoding: game text -> NVT bytes, and builders for the frames we send.
 */
import { CHARSET_REQUEST, MSSP_VAL, MSSP_VAR, TTYPE_SEND, OPT } from './constants.ts';
import { escapeIac, subnegotiation } from './wire.ts';

export { escapeIac, subnegotiation } from './wire.ts';

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
  if (!text.includes('\n') && !text.includes('\r')) return text;
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

/** RFC 1091: IAC SB TTYPE SEND IAC SE. */
export function ttypeSend(): Buffer {
  return subnegotiation(OPT.TTYPE, [TTYPE_SEND]);
}

/** RFC 2066: IAC SB CHARSET REQUEST ";UTF-8" IAC SE (";" is the separator). */
export function charsetRequest(charsets: readonly string[] = ['UTF-8']): Buffer {
  return subnegotiation(OPT.CHARSET, Buffer.concat([Buffer.from([CHARSET_REQUEST]), Buffer.from(';' + charsets.join(';'), 'latin1')]));
}

/** NUL, MSSP_VAR and MSSP_VAL would break MSSP framing, so they are dropped (IAC is doubled by subnegotiation()). */
function msspClean(s: string): Buffer {
  return Buffer.from(String(s).replace(/[\x00\x01\x02]/g, ''), 'utf8');
}

/** MSSP: IAC SB MSSP (MSSP_VAR name (MSSP_VAL value)+)* IAC SE. */
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

/** GMCP: IAC SB GMCP "Package.Name <json>" IAC SE; JSON omitted when data is undefined. */
export function gmcpFrame(pkg: string, data?: unknown): Buffer {
  const json = data === undefined ? undefined : JSON.stringify(data);
  const text = json === undefined ? pkg : `${pkg} ${json}`;
  return subnegotiation(OPT.GMCP, Buffer.from(text, 'utf8'));
}
