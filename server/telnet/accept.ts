/**
 * What happens to a telnet or TLS socket between accept and its session: a PROXY header read
 * from a MUD_PROXY_FROM gateway (the client's own address comes from it), refused from anyone
 * else; then, on the TLS port, the handshake. Only after that is the client's address known, so
 * the per-address limits and bans are applied by the caller, to that address.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { FrontEndPorts } from '../sessions/front_end.ts';
import type { Protocol } from '../sessions/transport.ts';
import { AddressSet, addressKey, normaliseAddress } from '../net/address.ts';
import { carriesProxyHeader, ProxyHeaderError, readProxyHeader } from '../net/proxy_protocol.ts';
import { readSocketPrefix } from '../net/socket_prefix.ts';
import { escapeForLog } from '../text.ts';

/** How long a client may take to finish its TLS handshake, and a gateway its PROXY header. */
const HANDSHAKE_MS = 10_000;

/**
 * TLS handshakes one client address (its /64 for IPv6) may have in flight at once. The
 * per-address limits count sessions, which start after the handshake: without this, one address
 * that opens sockets and never finishes a handshake could hold every slot of the TLS port.
 */
const HANDSHAKES_PER_ADDRESS = 8;

/** The TLS handshakes in flight per client address, for one listener. */
export class HandshakesInFlight {
  private readonly counts = new Map<string, number>();

  constructor(private readonly perAddress = HANDSHAKES_PER_ADDRESS) {}

  /** False when `address` already has its share in flight; else counted until `end`. */
  begin(address: string): boolean {
    const key = addressKey(address);
    const n = this.counts.get(key) ?? 0;
    if (n >= this.perAddress) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  end(address: string): void {
    const key = addressKey(address);
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }
}

export interface Accepted {
  /** Readable (paused: the caller resumes it once it listens), TLS already unwrapped. */
  readonly socket: net.Socket;
  /** The client's own address: the gateway's word for it, or the socket's peer. */
  readonly address: string;
  readonly protocol: Protocol;
  /** The peer is a MUD_PROXY_FROM gateway. */
  readonly fromGateway: boolean;
  /** For a plain telnet client: a PROXY header it sends anyway ends the connection. */
  readonly refuseFirst?: (chunk: Buffer) => string | null;
}

/**
 * The one place a bad or unwelcome PROXY header ends a connection: a portal log line with the
 * peer, the listener and what was wrong (a ProxyHeaderError, kind 'proxy_header').
 */
export function proxyHeaderRefused(ports: FrontEndPorts, peer: string, protocol: Protocol, error: ProxyHeaderError): void {
  ports.log.portal.warn(`PROXY header refused from ${peer} on the ${protocol} port: ${escapeForLog(error.message)}; connection closed`);
  // And a protocol_error in the trail (limited per address), as every other malformed input.
  ports.sessions.reportConnectionError(peer, protocol, 'bad_proxy_header', error.message);
}

const UNWELCOME = 'a PROXY header from an address not in MUD_PROXY_FROM';

/** Takes one accepted socket through the PROXY header and the TLS handshake, then to `start`. */
export function acceptTelnet(
  ports: FrontEndPorts,
  socket: net.Socket,
  protocol: Protocol,
  secureContext: (() => tls.SecureContext) | null,
  start: (accepted: Accepted) => void,
  gateways: AddressSet,
  inFlight: HandshakesInFlight | null = null,
): void {
  socket.on('error', () => {});
  const peer = normaliseAddress(socket.remoteAddress);
  const fromGateway = gateways.has(peer);
  const refuse = (error: ProxyHeaderError) => {
    proxyHeaderRefused(ports, peer, protocol, error);
    socket.destroy();
  };
  const proceed = (address: string) => {
    if (!secureContext) {
      const refuseFirst = fromGateway ? undefined : (chunk: Buffer) => (carriesProxyHeader(chunk) ? unwelcome(ports, peer, protocol) : null);
      return start({ socket, address, protocol, fromGateway, refuseFirst });
    }
    handshake(socket, secureContext(), (secure) => start({ socket: secure, address, protocol, fromGateway }));
  };
  if (fromGateway) {
    readProxyHeader(socket, HANDSHAKE_MS).then((source) => proceed(source ?? peer), refuse);
    return;
  }
  if (!secureContext) return proceed(peer);
  if (inFlight) {
    if (!inFlight.begin(peer)) {
      socket.destroy();
      return;
    }
    // Counted until the handshake is done or the socket is gone, whichever comes first.
    let counted = true;
    const end = () => {
      if (counted) inFlight.end(peer);
      counted = false;
    };
    socket.once('close', end);
    const started = start;
    start = (accepted) => {
      end();
      started(accepted);
    };
  }
  // A TLS client speaks first (its ClientHello), so its first bytes can be looked at before the
  // handshake: a PROXY header there is refused with a log line, not left to fail as bad TLS.
  firstBytes(socket, HANDSHAKE_MS).then((chunk) => {
    if (chunk && carriesProxyHeader(chunk)) return refuse(new ProxyHeaderError(UNWELCOME));
    if (chunk) proceed(peer);
    else socket.destroy();
  });
}

/** MUD_PROXY_FROM, checked once per listener (config_reach.ts already refused a bad entry). */
export function gatewaysOf(ports: FrontEndPorts): AddressSet {
  return new AddressSet(ports.config.reach.proxyFrom);
}

function unwelcome(ports: FrontEndPorts, peer: string, protocol: Protocol): string {
  proxyHeaderRefused(ports, peer, protocol, new ProxyHeaderError(UNWELCOME));
  return UNWELCOME;
}

/** The first chunk the client sends (null if it closes or stays silent), put back for the next reader. */
function firstBytes(socket: net.Socket, timeoutMs: number): Promise<Buffer | null> {
  return readSocketPrefix<Buffer | null>(socket, timeoutMs, (held) => ({ value: held, rest: held }), () => null);
}

/** The server side of a TLS handshake on an accepted socket; a failed or slow one is dropped. */
function handshake(socket: net.Socket, context: tls.SecureContext, done: (secure: tls.TLSSocket) => void): void {
  const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
  const timer = setTimeout(() => secure.destroy(), HANDSHAKE_MS);
  timer.unref();
  secure.on('error', () => {
    clearTimeout(timer);
    secure.destroy();
  });
  secure.once('secure', () => {
    clearTimeout(timer);
    secure.pause();
    done(secure);
  });
}
