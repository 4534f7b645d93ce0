/**
 * Parsers for incoming subnegotiation bodies (the bytes between
 * IAC SB <opt> and IAC SE, IAC IAC already collapsed by the parser).
 * All of them are total: malformed input returns null, never throws.
 */
import { CHARSET_ACCEPTED, CHARSET_REJECTED, CHARSET_REQUEST, OPT, TTYPE_IS } from './constants.ts';
import { subnegotiation } from './encode.ts';

/** Longest client-supplied name we keep (TTYPE, GMCP client, charset). */
export const MAX_NAME_LENGTH = 64;

/** Printable ASCII only, trimmed and length-capped: these strings end up in logs. */
export function cleanName(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '').trim().slice(0, MAX_NAME_LENGTH);
}

/**
 * RFC 1073 NAWS: exactly four bytes, width and height as 16-bit big-endian.
 * Anything else (the 6-byte malformed frame, short frames) is rejected. Zero
 * means "unknown" per the RFC and is reported as null for that dimension.
 */
export function parseNaws(body: Buffer): { width: number | null; height: number | null } | null {
  if (body.length !== 4) return null;
  const w = body.readUInt16BE(0);
  const h = body.readUInt16BE(2);
  return { width: w === 0 ? null : w, height: h === 0 ? null : h };
}

/** RFC 1091 TTYPE: IS <name>. */
export function parseTtypeIs(body: Buffer): string | null {
  if (body.length < 1 || body[0] !== TTYPE_IS) return null;
  return cleanName(body.subarray(1).toString('latin1'));
}

/** MTTS: terminal type "MTTS <bitvector>". */
export function parseMtts(ttype: string): number | null {
  const m = /^MTTS (\d{1,10})$/i.exec(ttype);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

export type CharsetMessage =
  | { type: 'accepted'; charset: string }
  | { type: 'rejected' }
  | { type: 'request'; charsets: string[] };

/** RFC 2066 CHARSET replies we act on. TTABLE messages return null. */
export function parseCharset(body: Buffer): CharsetMessage | null {
  if (body.length < 1) return null;
  const code = body[0];
  if (code === CHARSET_ACCEPTED) {
    return { type: 'accepted', charset: cleanName(body.subarray(1).toString('latin1')) };
  }
  if (code === CHARSET_REJECTED) return { type: 'rejected' };
  if (code === CHARSET_REQUEST) {
    let rest = body.subarray(1).toString('latin1');
    // Optional "[TTABLE]" marker plus a version byte (RFC 2066 section 3).
    if (rest.startsWith('[TTABLE]')) rest = rest.slice(9);
    if (rest.length < 2) return { type: 'request', charsets: [] };
    const sep = rest[0]!;
    const charsets = rest.slice(1).split(sep).map(cleanName).filter((s) => s.length > 0).slice(0, 32);
    return { type: 'request', charsets };
  }
  return null;
}

/** True for the spellings of UTF-8 clients use. */
export function isUtf8Name(name: string): boolean {
  return /^utf-?8$/i.test(name.trim());
}

/** Package names: dotted identifiers, e.g. "Core.Hello", "char.vitals". */
const GMCP_PACKAGE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const MAX_GMCP_PACKAGE = 128;

/**
 * GMCP body: "Package.Name" optionally followed by a space and JSON.
 * Malformed JSON or a bad package name returns null (ignored by the caller).
 */
export function parseGmcp(body: Buffer): { pkg: string; data: unknown } | null {
  const text = body.toString('utf8');
  const sp = text.search(/\s/);
  const pkg = sp === -1 ? text : text.slice(0, sp);
  if (pkg.length === 0 || pkg.length > MAX_GMCP_PACKAGE || !GMCP_PACKAGE.test(pkg)) return null;
  const rest = sp === -1 ? '' : text.slice(sp + 1).trim();
  if (rest.length === 0) return { pkg, data: undefined };
  try {
    return { pkg, data: JSON.parse(rest) as unknown };
  } catch {
    return null;
  }
}

/**
 * Answer a client-initiated CHARSET REQUEST: prefer UTF-8, else Latin-1
 * (ASCII is served as Latin-1), else REJECTED. `utf8` is the encoding to
 * switch to, or null to keep the current one.
 */
export function answerCharsetRequest(charsets: readonly string[]): { reply: Buffer; utf8: boolean | null } {
  const utf8 = charsets.find(isUtf8Name);
  const latin1 = charsets.find((c) => /^(iso-?8859-1|latin-?1|us-ascii|ascii)$/i.test(c));
  const pick = utf8 ?? latin1;
  if (pick === undefined) return { reply: subnegotiation(OPT.CHARSET, [CHARSET_REJECTED]), utf8: null };
  const body = Buffer.concat([Buffer.from([CHARSET_ACCEPTED]), Buffer.from(pick, 'latin1')]);
  return { reply: subnegotiation(OPT.CHARSET, body), utf8: utf8 !== undefined };
}
