/**
 * GMCP, Generic MUD Communication Protocol (https://tintin.mudhalla.net/protocols/gmcp/).
 *
 * We offer WILL GMCP; once the client agrees, both sides may send
 * IAC SB GMCP "Package.Name <json>" IAC SE. Messages before agreement, with a
 * bad package name or with malformed JSON are dropped.
 */
import { OPT } from '../constants.ts';
import { subnegotiation } from '../wire.ts';
import { cleanName, type TelnetOption } from './option.ts';
import { gmcpPackageName } from '../../sessions/protocol_errors.ts';

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
 * What a malformed GMCP message may leave in the audit: its package name (up to 40 characters)
 * and its size, never its body, which may be a login's password.
 */
export function gmcpExcerpt(text: string): string {
  return `${gmcpPackageName(text)} (${Buffer.byteLength(text)} bytes)`;
}

/** IAC SB GMCP "Package.Name <json>" IAC SE; JSON omitted when data is undefined. */
export function gmcpFrame(pkg: string, data?: unknown): Buffer {
  const json = data === undefined ? undefined : JSON.stringify(data);
  const text = json === undefined ? pkg : `${pkg} ${json}`;
  return subnegotiation(OPT.GMCP, Buffer.from(text, 'utf8'));
}

export const GMCP: TelnetOption = {
  code: OPT.GMCP,
  offer: ['local'],
  accept: ['local'],
  attach: (host) => ({
    subnegotiation(body) {
      if (!host.isLocal(OPT.GMCP)) return;
      const msg = parseGmcp(body);
      if (!msg) return host.emit('protocolError', 'bad_gmcp', gmcpExcerpt(body.toString('utf8')));
      // Core.Hello names the client when TTYPE did not.
      if (host.client.clientName === null && msg.pkg.toLowerCase() === 'core.hello') {
        const client = (msg.data as { client?: unknown } | null)?.client;
        if (typeof client === 'string' && cleanName(client)) host.client.clientName = cleanName(client);
      }
      host.emit('gmcp', msg.pkg, msg.data);
    },
  }),
};
