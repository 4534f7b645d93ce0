/**
 * CHARSET, character set negotiation (RFC 2066).
 *
 * We offer WILL CHARSET and, once the client agrees, send REQUEST ";UTF-8":
 * ACCEPTED keeps UTF-8, REJECTED switches the connection to Latin-1. A client
 * may also offer WILL CHARSET and send its own REQUEST, which we answer.
 */
import { CHARSET_ACCEPTED, CHARSET_REJECTED, CHARSET_REQUEST, OPT } from '../constants.ts';
import { subnegotiation } from '../wire.ts';
import { cleanName, type TelnetOption } from './option.ts';

export type CharsetMessage =
  | { type: 'accepted'; charset: string }
  | { type: 'rejected' }
  | { type: 'request'; charsets: string[] };

/** RFC 2066 messages we act on. TTABLE messages return null. */
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

/** RFC 2066: IAC SB CHARSET REQUEST ";UTF-8" IAC SE (";" is the separator). */
export function charsetRequest(charsets: readonly string[] = ['UTF-8']): Buffer {
  return subnegotiation(OPT.CHARSET, Buffer.concat([Buffer.from([CHARSET_REQUEST]), Buffer.from(';' + charsets.join(';'), 'latin1')]));
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

export const CHARSET: TelnetOption = {
  code: OPT.CHARSET,
  offer: ['local'],
  accept: ['local', 'remote'],
  attach(host) {
    /** Our REQUEST is out and unanswered; replies are only taken while it is. */
    let pending = false;
    return {
      changed(side, enabled) {
        if (side !== 'local' || !enabled || pending) return;
        pending = true;
        host.send(charsetRequest(['UTF-8']));
      },
      subnegotiation(body) {
        const msg = parseCharset(body);
        if (!msg) return;
        if (msg.type === 'request') {
          // Client-initiated request (it sent WILL CHARSET). If both sides sent a
          // REQUEST at once we still answer theirs: both answers agree on UTF-8.
          if (!host.isRemote(OPT.CHARSET) && !host.isLocal(OPT.CHARSET)) return;
          const answer = answerCharsetRequest(msg.charsets);
          host.send(answer.reply);
          if (answer.utf8 !== null) host.setUtf8(answer.utf8);
          return;
        }
        if (!pending) return; // Unsolicited reply: ignore.
        pending = false;
        if (msg.type === 'accepted') {
          if (isUtf8Name(msg.charset)) host.setUtf8(true);
        } else {
          host.setUtf8(false);
        }
      },
    };
  },
};
