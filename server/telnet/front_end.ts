import net from 'node:net';
import type { FrontEnd, FrontEndPorts, FrontEndSession } from '../sessions/front_end.ts';
import type { Protocol, SessionTransport } from '../sessions/session.ts';
import { normaliseAddress } from '../net/address.ts';
import { refuseSocket } from '../net/refuse.ts';
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

/** MSSP (Mud Server Status Protocol) facts, so MUD listings can crawl the server. */
export function msspFor(ports: FrontEndPorts, port: () => number): () => Record<string, string> {
  return () => ({
    NAME: ports.config.serverName,
    PLAYERS: String(ports.sessions.loggedIn().length),
    UPTIME: String(Math.floor(ports.startedAt.getTime() / 1000)),
    PORT: String(port()),
    CODEBASE: 'audited-mud',
    FAMILY: 'Custom',
    LANGUAGE: 'English',
    ANSI: '1',
    UTF_8: '1',
    GMCP: '1',
    MCCP: '1',
  });
}

/**
 * A telnet stream becomes a session: over TCP here, over a WebSocket (telnet.mudstandards.org,
 * server/web/) with protocol `ws`. Both get the same options, limits and audit.
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

/** Port 4000: each socket becomes a TelnetConnection, each connection one Session. */
export function telnetFrontEnd(ports: FrontEndPorts): FrontEnd {
  const server = net.createServer({ noDelay: true });
  let port = 0;
  server.maxConnections = MAX_CONNECTIONS;
  const mssp = msspFor(ports, () => port);

  server.on('connection', (socket) => {
    const refusal = ports.sessions.limits.admitConnection(normaliseAddress(socket.remoteAddress), 'telnet');
    // One line and close, before any negotiation or session: a connection flood costs a write
    // and leaves no session and no audit line per socket.
    if (refusal) return refuseSocket(socket, `${refusal}\r\n`);
    openTelnetSession(ports, new TelnetConnection(socket, { mssp }), 'telnet');
  });
  server.on('error', (error) => ports.log.server.error(`Telnet listener error: ${error.message}`));

  return {
    name: 'telnet',
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(ports.config.telnetPort, ports.config.host, () => {
          server.off('error', reject);
          port = (server.address() as net.AddressInfo).port;
          resolve(port);
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
