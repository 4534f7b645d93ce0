/**
 * The PROXY protocol, versions 1 (text) and 2 (binary), as HAProxy specifies it
 * (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt): a gateway in front of the game
 * (HAProxy, a web-to-telnet gateway) opens each connection with one header naming the client's
 * own address. Believed only from MUD_PROXY_FROM (the front ends decide); this module only
 * reads the header, and every way a header can be wrong is one ProxyHeaderError.
 */
import net from 'node:net';
import { normaliseAddress } from './address.ts';
import { readSocketPrefix } from './socket_prefix.ts';

/** What a bad PROXY header is, as one value: the front ends log it (and may audit it by `kind`). */
export class ProxyHeaderError extends Error {
  override name = 'ProxyHeaderError';
  readonly kind = 'proxy_header';
}

/** v1 header at most (spec section 2.1): "PROXY TCP6 <39> <39> <5> <5>\r\n". */
const V1_MAX = 107;
/** v2's twelve-byte signature (section 2.2). */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
/** v2 address block and TLVs we take at most; HAProxy's TLVs (SSL, unique id) fit well inside. */
const V2_MAX_BODY = 2048;
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');

export type ProxyParse =
  /** Not all of the header has arrived yet. */
  | { done: false }
  /** `source`: the client's address, or null when the gateway speaks for itself (LOCAL, UNKNOWN). */
  | { done: true; source: string | null; length: number };

/** Could `bytes` be the start of a PROXY header (v1 or v2)? For connections that may not send one. */
export function startsLikeProxyHeader(bytes: Buffer): boolean {
  const v1 = bytes.subarray(0, V1_PREFIX.length);
  const v2 = bytes.subarray(0, V2_SIGNATURE.length);
  return (v1.length > 0 && V1_PREFIX.subarray(0, v1.length).equals(v1)) || (v2.length > 0 && V2_SIGNATURE.subarray(0, v2.length).equals(v2));
}

/**
 * Does this first chunk from a connection that may not send a header carry one anyway? Only a
 * whole signature counts, so a player whose client sends "P" alone is not taken for a gateway.
 */
export function carriesProxyHeader(firstChunk: Buffer): boolean {
  return firstChunk.subarray(0, V1_PREFIX.length).equals(V1_PREFIX) || firstChunk.subarray(0, V2_SIGNATURE.length).equals(V2_SIGNATURE);
}

/** Reads the header at the start of `bytes`; throws ProxyHeaderError if it is not a valid one. */
export function parseProxyHeader(bytes: Buffer): ProxyParse {
  if (!startsLikeProxyHeader(bytes)) throw new ProxyHeaderError('the connection did not start with a PROXY header');
  return bytes[0] === V1_PREFIX[0] ? parseV1(bytes) : parseV2(bytes);
}

function parseV1(bytes: Buffer): ProxyParse {
  const end = bytes.indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    if (bytes.length >= V1_MAX) throw new ProxyHeaderError(`a PROXY v1 header longer than ${V1_MAX} bytes`);
    return { done: false };
  }
  if (end + 2 > V1_MAX) throw new ProxyHeaderError(`a PROXY v1 header longer than ${V1_MAX} bytes`);
  const fields = bytes.subarray(0, end).toString('latin1').split(' ');
  const length = end + 2;
  if (fields[1] === 'UNKNOWN') return { done: true, source: null, length };
  const [, family, source, destination, sourcePort, destinationPort, extra] = fields;
  const version = family === 'TCP4' ? 4 : family === 'TCP6' ? 6 : 0;
  if (!version || extra !== undefined || destinationPort === undefined) throw new ProxyHeaderError('a malformed PROXY v1 header');
  if (net.isIP(source!) !== version || net.isIP(destination!) !== version || !port(sourcePort!) || !port(destinationPort)) {
    throw new ProxyHeaderError('a PROXY v1 header with a bad address or port');
  }
  return { done: true, source: normaliseAddress(source), length };
}

function port(text: string): boolean {
  return /^(0|[1-9]\d{0,4})$/.test(text) && Number(text) <= 65535;
}

function parseV2(bytes: Buffer): ProxyParse {
  if (bytes.length < 16) return { done: false };
  const versionCommand = bytes[12]!;
  const familyProtocol = bytes[13]!;
  const bodyLength = bytes.readUInt16BE(14);
  if (versionCommand >> 4 !== 2) throw new ProxyHeaderError(`a PROXY v2 header of version ${versionCommand >> 4}`);
  if (bodyLength > V2_MAX_BODY) throw new ProxyHeaderError(`a PROXY v2 header of ${bodyLength} bytes (at most ${V2_MAX_BODY})`);
  const length = 16 + bodyLength;
  if (bytes.length < length) return { done: false };
  const command = versionCommand & 0x0f;
  // LOCAL: the gateway's own connection (a health check); its address is the socket's.
  if (command === 0) return { done: true, source: null, length };
  if (command !== 1) throw new ProxyHeaderError(`a PROXY v2 header with unknown command ${command}`);
  const body = bytes.subarray(16, length);
  switch (familyProtocol >> 4) {
    case 0: // AF_UNSPEC: the gateway does not know; as LOCAL.
      return { done: true, source: null, length };
    case 1: // AF_INET: 4 + 4 address bytes, 2 + 2 port bytes.
      if (body.length < 12) throw new ProxyHeaderError('a PROXY v2 IPv4 header too short for its addresses');
      return { done: true, source: [...body.subarray(0, 4)].join('.'), length };
    case 2: { // AF_INET6: 16 + 16, 2 + 2.
      if (body.length < 36) throw new ProxyHeaderError('a PROXY v2 IPv6 header too short for its addresses');
      const groups = [];
      for (let i = 0; i < 16; i += 2) groups.push(body.readUInt16BE(i).toString(16));
      return { done: true, source: normaliseAddress(groups.join(':')), length };
    }
    default: // AF_UNIX and anything newer carry no client address we could use.
      throw new ProxyHeaderError(`a PROXY v2 header of address family ${familyProtocol >> 4}`);
  }
}

/**
 * Waits for the PROXY header at the start of `socket` (the whole of it within `timeoutMs`).
 * Resolves with the client's address (null: use the socket's), leaving the socket paused with
 * whatever followed the header unshifted, for the next reader; rejects with a ProxyHeaderError.
 */
export function readProxyHeader(socket: net.Socket, timeoutMs = 10_000): Promise<string | null> {
  return readSocketPrefix<string | null>(
    socket,
    timeoutMs,
    (held) => {
      const parsed = parseProxyHeader(held);
      return parsed.done ? { value: parsed.source, rest: held.subarray(parsed.length) } : null;
    },
    (why) =>
      new ProxyHeaderError(why === 'closed' ? 'the connection closed before its PROXY header was complete' : `no complete PROXY header within ${timeoutMs / 1000} s`),
  );
}
