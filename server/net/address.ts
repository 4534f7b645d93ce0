/**
 * A client's address, spelt one way for every front end (telnet, the webclient, the console), so
 * that the audit trail, the logs, the login guard's counters and the per-address limits agree on
 * who is who; and sets of addresses and CIDR ranges (MUD_RATE_EXEMPT).
 */
import net from 'node:net';

/**
 * `::ffff:127.0.0.1` (IPv4 seen through a socket bound to `::`) is 127.0.0.1, and IPv6 is written
 * in its canonical short form (RFC 5952), so one client never has two spellings.
 */
export function normaliseAddress(address: string | undefined | null): string {
  if (!address) return 'unknown';
  // A zone (`fe80::1%eth0`) names the local interface, not the client.
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (!net.isIPv6(bare)) return bare;
  const groups = hextets(bare);
  // The same mapped IPv4 address written in hex (`::ffff:7f00:1`).
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const [hi, lo] = [Number.parseInt(groups[6]!, 16), Number.parseInt(groups[7]!, 16)];
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return canonicalIPv6(groups);
}

/**
 * What the login guard and the per-address limits count an address as: an IPv4 address itself,
 * an IPv6 address by its /64.
 * One subscriber usually holds a whole /64 (RFC 6177), so counting single IPv6 addresses would
 * hand an attacker 2^64 fresh counters.
 */
export function addressKey(address: string): string {
  const normal = normaliseAddress(address);
  if (!net.isIPv6(normal)) return normal;
  return `${canonicalIPv6([...hextets(normal).slice(0, 4), '0', '0', '0', '0'])}/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros. */
function hextets(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const parts = (s: string | undefined) => (s ? s.split(':') : []);
  let left = parts(head);
  let right = parts(tail);
  // An embedded IPv4 tail (`::1.2.3.4`, `64:ff9b::1.2.3.4`) is two groups.
  const fix = (list: string[]) => {
    const last = list.at(-1);
    if (!last?.includes('.')) return list;
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    return [...list.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  if (tail === undefined) left = fix(left);
  else right = fix(right);
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((h) => Number.parseInt(h, 16).toString(16));
}

/** RFC 5952: lower case, no leading zeros, the longest run (of two or more) of zero groups as `::`. */
function canonicalIPv6(groups: readonly string[]): string {
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

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
