/**
 * Port 4000 (telnet) and 4443 (telnet over TLS): each accepted socket becomes a TelnetConnection,
 * each connection one Session. Both listeners speak the same telnet (every option, MCCP2 inside
 * TLS too) and take a PROXY header from MUD_PROXY_FROM gateways (accept.ts).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { FrontEnd, FrontEndFactory, FrontEndPorts, FrontEndSession } from '../sessions/front_end.ts';
import type { Protocol, SessionTransport } from '../sessions/transport.ts';
import type { Certificates } from '../net/certificate.ts';
import { refuseSocket } from '../net/refuse.ts';
import { acceptTelnet, gatewaysOf, HandshakesInFlight, type Accepted } from './accept.ts';
import { TelnetConnection } from './connection.ts';

/** Refuses new connections past this many, so a connection flood cannot take the process down. */
const MAX_CONNECTIONS = 5000;

/** A telnet connection as the session pipeline sees it. */
function transportFor(conn: TelnetConnection, protocol: Protocol): SessionTransport {
  return {
    protocol,
    remoteAddress: conn.remoteAddress,
    get clientName() {
      return conn.clientName;
    },
    get width() {
      return conn.width;
    },
    get environ() {
      return conn.environ;
    },
    whenEnvironKnown: (ready) => conn.whenEnvironKnown(ready),
    send: (text) => conn.write(text.endsWith('\n') ? text : `${text}\n`),
    prompt: (text) => conn.prompt(text),
    readyPrompt: (text) => conn.prompt(text),
    setSecretInput: (secret) => (secret ? conn.echoOff() : conn.echoOn()),
    sendOob: (pkg, data) => conn.sendGmcp(pkg, data),
    get oobEnabled() {
      return conn.gmcp;
    },
    close: (reason) => conn.close(reason),
  };
}

/** The ports the telnet listeners bound, for MSSP (which names the TLS one too). */
export interface BoundPorts {
  telnet: number;
  tls: number | null;
}

/** MSSP (Mud Server Status Protocol) facts, so MUD listings can crawl the server. */
export function msspFor(ports: FrontEndPorts, bound: BoundPorts): () => Record<string, string> {
  return () => ({
    NAME: ports.config.serverName,
    PLAYERS: String(ports.sessions.loggedIn().length),
    UPTIME: String(Math.floor(ports.startedAt.getTime() / 1000)),
    PORT: String(bound.telnet),
    CODEBASE: 'audited-mud',
    FAMILY: 'Custom',
    LANGUAGE: 'English',
    ANSI: '1',
    UTF_8: '1',
    GMCP: '1',
    MCCP: '1',
    // Mudlet reads these and offers its players the secure connection.
    ...(bound.tls ? { TLS: String(bound.tls), SSL: String(bound.tls) } : {}),
  });
}

/**
 * A telnet stream becomes a session: over TCP or TLS here, over a WebSocket
 * (telnet.mudstandards.org, server/web/) with protocol `ws`. All get the same options, limits and audit.
 */
export function openTelnetSession(ports: FrontEndPorts, conn: TelnetConnection, protocol: Protocol): FrontEndSession {
  // Offers first, so the client knows our options before the banner arrives.
  conn.start();
  const session = ports.sessions.open(transportFor(conn, protocol));
  conn.on('line', (line) => session.receiveLine(line));
  conn.on('gmcp', (pkg, data) => session.receiveOob(pkg, data));
  conn.on('overlong', () => session.msg(`That line was longer than ${conn.limits.maxLineBytes} bytes and was ignored.`));
  conn.on('protocolError', (kind, excerpt) => session.reportProtocolError(kind, excerpt));
  conn.on('close', (reason) => session.connectionLost(reason));
  return session;
}

/** An accepted connection, its socket readable and its client's address known: a session now. */
function startSession(ports: FrontEndPorts, accepted: Accepted, mssp: () => Record<string, string>): void {
  const { socket, address, protocol, fromGateway, refuseFirst } = accepted;
  const refusal = ports.sessions.limits.admitConnection(address, protocol);
  // One line and close, before any negotiation or session: a connection flood costs a write
  // and leaves no session and no audit line per socket.
  if (refusal) return refuseSocket(socket, `${refusal}\r\n`);
  openTelnetSession(ports, new TelnetConnection(socket, { mssp, remoteAddress: address, fromGateway, refuseFirst }), protocol);
  // A paused socket (its PROXY header or TLS handshake was read first) flows again.
  socket.resume();
}

function listener(name: string, ports: FrontEndPorts, server: net.Server, port: number, bound: (port: number) => void): FrontEnd {
  server.on('error', (error) => ports.log.server.error(`${name} listener error: ${error.message}`));
  return {
    name,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, ports.config.host, () => {
          server.off('error', reject);
          const actual = (server.address() as net.AddressInfo).port;
          bound(actual);
          resolve(actual);
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The telnet listener, and the TLS one when a certificate is given: two front ends that share
 * the MSSP table (so it can name the TLS port). `certificates` is re-read on SIGHUP by whoever
 * holds it; new TLS connections get the new certificate, connected ones keep theirs.
 */
export function telnetListeners(certificates: Certificates | null): { telnet: FrontEndFactory; tls: FrontEndFactory | null } {
  const bound: BoundPorts = { telnet: 0, tls: null };
  const telnet: FrontEndFactory = (ports) => {
    const server = net.createServer({ noDelay: true, pauseOnConnect: true });
    server.maxConnections = MAX_CONNECTIONS;
    const mssp = msspFor(ports, bound);
    const gateways = gatewaysOf(ports);
    server.on('connection', (socket) => acceptTelnet(ports, socket, 'telnet', null, (accepted) => startSession(ports, accepted, mssp), gateways));
    return listener('telnet', ports, server, ports.config.telnetPort, (port) => (bound.telnet = port));
  };
  if (!certificates) return { telnet, tls: null };
  const tlsFactory: FrontEndFactory = (ports) => {
    let context = tls.createSecureContext({ cert: certificates.current.cert, key: certificates.current.key });
    const onChange = (pair: { cert: string | Buffer; key: string | Buffer }) => (context = tls.createSecureContext({ cert: pair.cert, key: pair.key }));
    certificates.onChange(onChange);
    // The raw TCP side: a PROXY header (if any) comes before the TLS handshake, in clear.
    const server = net.createServer({ noDelay: true, pauseOnConnect: true });
    server.maxConnections = MAX_CONNECTIONS;
    const mssp = msspFor(ports, bound);
    const gateways = gatewaysOf(ports);
    const inFlight = new HandshakesInFlight();
    server.on('connection', (socket) =>
      acceptTelnet(ports, socket, 'telnet+tls', () => context, (accepted) => startSession(ports, accepted, mssp), gateways, inFlight),
    );
    return listener('telnet+tls', ports, server, ports.config.reach.tlsPort, (port) => (bound.tls = port));
  };
  return { telnet, tls: tlsFactory };
}

/** The plain telnet listener alone (tests; a server without a certificate). */
export const telnetFrontEnd: FrontEndFactory = (ports) => telnetListeners(null).telnet(ports);
