/**
 * Pure pieces of the web front end's safety: where a connection comes from and whether its page
 * may open a socket. No sockets here, so each is tested on its own. (How fast it may type is the
 * session stage's, for telnet and web alike: server/sessions/session_limits.ts.)
 */
import net from 'node:net';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { normaliseAddress } from '../net/address.ts';

export { normaliseAddress };

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The player's address. X-Forwarded-For is anyone's to write, so it counts only with
 * `trustProxy`, and then only its last entry: the one our own proxy appended.
 */
export function clientAddress(socketAddress: string | undefined, headers: IncomingHttpHeaders, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = headers['x-forwarded-for'];
    const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
    const last = normaliseAddress(list[list.length - 1]?.trim());
    if (net.isIP(last)) return last;
  }
  return normaliseAddress(socketAddress);
}

/**
 * The header in which the portal names the client of a request it passes to the game's private
 * socket (server/web/private_port.ts). Anyone can send it to the public port, where it means
 * nothing; it is believed only on a socket marked as the private one.
 */
export const CLIENT_ADDRESS_HEADER = 'x-mud-client-address';

/** ...and whether that client came over https (`https` or `http`), for the console's Secure cookie. */
export const CLIENT_PROTO_HEADER = 'x-mud-client-proto';

/** Set on the sockets of the game's private web server: only the portal reaches it (mode 0600). */
export const FROM_PORTAL = Symbol('a connection from the portal');

/** Did this request come to the game's private socket, from the portal? */
export function fromPortal(req: IncomingMessage): boolean {
  return (req.socket as { [FROM_PORTAL]?: boolean })[FROM_PORTAL] === true;
}

/**
 * The client of an HTTP request: on the private socket, the address the portal vouches for
 * (it applied X-Forwarded-For already, when trusted); elsewhere the socket's peer, or with
 * `trustProxy` X-Forwarded-For's last entry.
 */
export function requestAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (fromPortal(req)) {
    const vouched = normaliseAddress(firstHeader(req.headers[CLIENT_ADDRESS_HEADER]));
    // A request without a usable address is a bug in the portal; "unknown" is never loopback or exempt.
    return net.isIP(vouched) ? vouched : 'unknown';
  }
  return clientAddress(req.socket.remoteAddress, req.headers, trustProxy);
}

/** `host[:port]` as URL.host spells it (lower case, default port dropped), or null. */
function hostOf(protocol: string, host: string | undefined): string | null {
  if (!host) return null;
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return null;
  }
}

/**
 * May a page from this Origin open a socket? Its own page may (the Origin names the host it
 * was served from), and so may the configured origins. A request without Origin is not from a
 * browser page (browsers send it on every WebSocket and cross-origin request), so it is let in:
 * cross-site WebSocket hijacking needs a victim's browser, which always says where it came from.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: readonly string[], trustProxy: boolean): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowed.includes(url.origin)) return true;
  const forwardedHost = trustProxy ? firstHeader(headers['x-forwarded-host'])?.split(',')[0]?.trim() : undefined;
  const host = hostOf(url.protocol, forwardedHost || headers.host);
  return host !== null && host === url.host;
}
