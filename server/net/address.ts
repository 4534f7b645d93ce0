/**
 * Remote addresses as the limits compare them. Written small and on its own so it can be merged
 * with the session stage's address normaliser (issue 13, item 7) without touching the limits.
 */
import net from 'node:net';

/**
 * `::ffff:127.0.0.1` (IPv4 seen through an IPv6 socket, as with `MUD_HOST=::`) is 127.0.0.1, so
 * one client has one address whichever way it came in. A zone (`fe80::1%eth0`) is dropped.
 */
export function normaliseAddress(address: string | undefined | null): string {
  if (!address) return 'unknown';
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  return mapped ? mapped[1]! : bare;
}

/** The eight 16-bit groups of an IPv6 address, or null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  if (net.isIPv6(address) === false) return null;
  let text = address;
  // An IPv4 tail (`64:ff9b::1.2.3.4`) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

/**
 * The key one address is counted under. An IPv6 user usually holds a whole /64 (SLAAC, privacy
 * addresses), so per-address limits count the /64: otherwise one host could take a fresh
 * address for every connection.
 */
export function limitKey(address: string): string {
  const normal = normaliseAddress(address);
  const groups = ipv6Groups(normal);
  if (!groups) return normal;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** A set of addresses and CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`, `2001:db8::/32`). */
export class AddressSet {
  private readonly list = new net.BlockList();
  readonly size: number;

  /** Throws with a message naming the entry that is not an address or CIDR range. */
  constructor(readonly entries: readonly string[]) {
    for (const raw of entries) {
      const [address = '', prefix, extra] = raw.trim().split('/');
      const family = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : null;
      const bits = prefix === undefined ? null : Number(prefix);
      const maxBits = family === 'ipv4' ? 32 : 128;
      if (!family || extra !== undefined || (bits !== null && (!/^\d+$/.test(prefix!) || bits > maxBits))) {
        throw new Error(`${JSON.stringify(raw)} is not an address or CIDR range like 127.0.0.1, 10.0.0.0/8 or 2001:db8::/32`);
      }
      if (bits === null) this.list.addAddress(address, family);
      else this.list.addSubnet(address, bits, family);
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    if (this.size === 0) return false;
    const normal = normaliseAddress(address);
    const family = net.isIPv4(normal) ? 'ipv4' : net.isIPv6(normal) ? 'ipv6' : null;
    return family !== null && this.list.check(normal, family);
  }
}

/** What the tests and `npm run bench` exempt: every loopback address. */
export const LOOPBACK = ['127.0.0.0/8', '::1'] as const;
