/**
 * Pure pieces of the web front end's safety: where a connection comes from, whether its page may
 * open a socket, and how fast it may type. No sockets here, so each is tested on its own.
 */
import net from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { normaliseAddress } from '../address.ts';

// One spelling of an address for every front end (server/address.ts); re-exported for callers here.
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

/** Lines per second with a burst allowance; the clock is injectable for tests. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Spends one token if there is one. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
