/**
 * Output encoding: game text -> NVT bytes, and builders for the frames we send.
 */
import { CHARSET_REQUEST, IAC, MSSP_VAL, MSSP_VAR, SB, SE, TTYPE_SEND, OPT } from './constants.ts';

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

/** Double every 0xFF byte so it is data, not IAC (RFC 854). */
export function escapeIac(buf: Buffer): Buffer {
  let idx = buf.indexOf(IAC);
  if (idx === -1) return buf;
  let count = 0;
  for (let i = idx; i !== -1; i = buf.indexOf(IAC, i + 1)) count++;
  const out = Buffer.allocUnsafe(buf.length + count);
  let src = 0;
  let dst = 0;
  while (idx !== -1) {
    dst += buf.copy(out, dst, src, idx + 1);
    out[dst++] = IAC;
    src = idx + 1;
    idx = buf.indexOf(IAC, src);
  }
  buf.copy(out, dst, src);
  return out;
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

/** IAC SB <opt> <body with IAC doubled> IAC SE (RFC 855). */
export function subnegotiation(opt: number, body: Buffer | readonly number[] = []): Buffer {
  const b = escapeIac(Buffer.isBuffer(body) ? body : Buffer.from(body));
  const out = Buffer.allocUnsafe(b.length + 5);
  out[0] = IAC;
  out[1] = SB;
  out[2] = opt;
  b.copy(out, 3);
  out[b.length + 3] = IAC;
  out[b.length + 4] = SE;
  return out;
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
