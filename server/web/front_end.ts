/**
 * Port 4001: the browser front end. Express serves the page; socket.io carries each browser's
 * connection into a Session, the same pipeline telnet feeds, so both behave and audit alike.
 *
 * The wire protocol (socket.io events):
 *   browser -> server  `input` (one string, at most maxLineBytes; line breaks split it into lines)
 *   server -> browser  `output` (text ending in a newline), `prompt` (text awaiting an answer on the
 *                      same line), `secret` (true while the game asks for a password), `oob` (pkg, data)
 * Game text carries ANSI SGR escapes; the browser renders them.
 */
import { Server, type Socket } from 'socket.io';
import type { FrontEnd, FrontEndFactory, FrontEndPorts, FrontEndSession } from '../sessions/front_end.ts';
import { lineExcerpt } from '../sessions/protocol_errors.ts';
import type { SessionTransport } from '../sessions/transport.ts';
import { cleanInput, escapeForLog } from '../text.ts';
import { clientAddress, originAllowed } from './guards.ts';
import { WEB_DIR, webApp, type WebMount } from './http.ts';
import type { Certificates } from '../net/certificate.ts';
import { createWebServer } from './web_server.ts';
import { DEFAULT_HTTP_TIMEOUTS, httpServerOptions, limitSocketsPerAddress, type HttpTimeouts } from './socket_limits.ts';

export interface WebLimits extends HttpTimeouts {
  /** Bytes in one `input` event (telnet's line limit). */
  maxLineBytes: number;
  /** The most concurrent webclient connections; more are refused, as telnet refuses past its cap. */
  maxConnections: number;
  /** socket.io/engine.io drop a connection that sends a bigger packet than this. */
  maxPacketBytes: number;
  /** How long closing waits for farewells ("Goodbye!") to reach the browsers. */
  flushTimeoutMs: number;
  /**
   * Messages the browser has not taken yet (engine.io's write buffer, which stops draining when
   * the peer stops reading). Past this the connection is dropped, as telnet drops a client past
   * its output cap, so a browser that never reads cannot grow the server's memory.
   */
  maxUnsentMessages: number;
}

export const DEFAULT_WEB_LIMITS: Readonly<WebLimits> = {
  maxLineBytes: 4096,
  maxConnections: 5000,
  maxPacketBytes: 16 * 1024,
  flushTimeoutMs: 1500,
  maxUnsentMessages: 2000,
  ...DEFAULT_HTTP_TIMEOUTS,
};

export interface WebFrontEndOptions {
  limits?: Partial<WebLimits>;
  webDir?: string;
  /**
   * What else this port serves (the audit console and /metrics, the /ws endpoint), made for each
   * front end the factory makes, with its limits; the start-up wiring passes them (server/front_ends.ts).
   */
  mounts?: (ports: FrontEndPorts, limits: Readonly<WebLimits>) => WebMount[];
  /** Serve https with this certificate (MUD_WEB_TLS=on); none: http. */
  certificates?: Certificates | null;
}

/** Closes for these reasons are temporary: the browser is left to reconnect on its own. */
const COME_BACK = /shutdown|restart|reboot/i;

/** socket.io's disconnect reasons, in the words telnet uses for the same thing. */
function lostReason(reason: string): string {
  switch (reason) {
    case 'client namespace disconnect':
    case 'transport close':
      return 'client hangup';
    case 'ping timeout':
      return 'ping timeout';
    case 'parse error':
      return 'malformed packet';
    case 'transport error':
      return 'transport error';
    default:
      return reason;
  }
}

/** One browser connection: checks what it sends, then feeds lines to its Session. */
class WebConnection {
  private readonly session: FrontEndSession;
  private closeReason: string | null = null;
  private warnedProtocol = false;
  /** Messages handed to engine.io since its write buffer last drained. */
  private unsent = 0;

  constructor(
    private readonly ports: FrontEndPorts,
    private readonly socket: Socket,
    private readonly limits: WebLimits,
  ) {
    const { handshake } = socket;
    const userAgent = handshake.headers['user-agent'];
    const transport: SessionTransport = {
      protocol: 'web',
      remoteAddress: clientAddress(handshake.address, handshake.headers, ports.config.webTrustProxy),
      clientName: userAgent ? cleanInput(userAgent).slice(0, 200) : null,
      send: (text) => this.emit('output', text.endsWith('\n') ? text : `${text}\n`),
      prompt: (text) => this.emit('prompt', text),
      setSecretInput: (secret) => this.emit('secret', secret),
      sendOob: (pkg, data) => this.emit('oob', pkg, data),
      close: (reason) => this.close(reason),
    };
    socket.conn.on('drain', () => (this.unsent = 0));
    this.session = ports.sessions.open(transport);
    socket.onAny((event: string, ...args: unknown[]) => this.guard(() => this.onEvent(event, args)));
    socket.on('disconnect', (reason) => this.guard(() => this.session.connectionLost(this.closeReason ?? lostReason(reason))));
  }

  private emit(event: string, ...args: unknown[]): void {
    // Like telnet: once the game has closed the connection, nothing more is sent.
    if (this.closeReason !== null) return;
    if (++this.unsent > this.limits.maxUnsentMessages) {
      this.closeReason = 'output overflow';
      this.socket.disconnect(true);
      return;
    }
    try {
      this.socket.emit(event, ...args);
    } catch (error) {
      // Only data that cannot be serialised gets here (an OOB payload); the text itself is fine.
      this.ports.log.server.warn(`Web client #${this.session.id}: could not send '${event}': ${escapeForLog(String(error))}`);
    }
  }

  /** The game closes the connection: what it sent last is flushed before the socket goes. */
  private close(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    // After the current command has finished, as telnet's close is; engine.io then drains its
    // write buffer before it closes the transport. A clean disconnect tells socket.io's client
    // not to reconnect (quit, taken over, idle); a shutdown only drops the transport, so the
    // browser keeps retrying until the server is back.
    setImmediate(() => {
      if (COME_BACK.test(reason)) this.socket.conn.close();
      else this.socket.disconnect(true);
    });
  }

  /** A bug in handling one message closes that connection only, never the server. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.ports.log.server.error(`Web client #${this.session.id} failed: ${escapeForLog(String((error as Error)?.stack ?? error))}`);
      this.close(`listener error: ${(error as Error)?.message ?? error}`);
    }
  }

  private onEvent(event: string, args: unknown[]): void {
    // Like telnet once closing: the game has said goodbye, so nothing more is read.
    if (this.session.closed || this.closeReason !== null) return;
    // An acknowledgement callback, if the client asked for one, is not part of the payload.
    if (typeof args[args.length - 1] === 'function') args.pop();
    const [payload] = args;
    if (event !== 'input' || args.length !== 1 || typeof payload !== 'string' || Buffer.byteLength(payload, 'utf8') > this.limits.maxLineBytes) {
      // What is not a line still costs the command rate, so a flood of junk is throttled like
      // a flood of commands (and, once throttled, not answered).
      if (!this.session.admitInput()) return;
      if (event !== 'input') {
        return this.refuse(`The webclient only sends 'input' events; '${cleanInput(String(event)).slice(0, 40)}' was ignored.`);
      }
      if (typeof payload !== 'string' || args.length !== 1) return this.refuse('Input must be one line of text; that message was ignored.');
      this.session.reportProtocolError('line_too_long', lineExcerpt(payload, `${Buffer.byteLength(payload, 'utf8')} bytes`));
      return this.session.msg(`That line was longer than ${this.limits.maxLineBytes} bytes and was ignored.`);
    }
    const lines = payload.split(/\r\n|\r|\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    // Each line pays for itself, as on telnet; once one is dropped, so is the rest of the paste.
    for (const line of lines) if (!this.session.receiveLine(line)) break;
  }

  private refuse(message: string): void {
    if (!this.warnedProtocol) {
      this.warnedProtocol = true;
      this.ports.log.portal.warn(`Web client #${this.session.id} from ${escapeForLog(this.session.remoteAddress)} sent a malformed message`);
    }
    this.session.msg(message);
  }
}

export function createWebFrontEnd(options: WebFrontEndOptions = {}): FrontEndFactory {
  const limits: WebLimits = { ...DEFAULT_WEB_LIMITS, ...options.limits };
  return (ports) => {
    const { config } = ports;
    const mounts = options.mounts?.(ports, limits) ?? [];
    const httpServer = createWebServer(httpServerOptions(limits), webApp(ports, options.webDir ?? WEB_DIR, mounts), options.certificates ?? null);
    httpServer.maxConnections = limits.maxConnections + 100;
    limitSocketsPerAddress(httpServer, ports.sessions.limits);
    const io = new Server(httpServer, {
      // The browser loads /socket.io/socket.io.min.js from here: no CDN.
      serveClient: true,
      maxHttpBufferSize: limits.maxPacketBytes,
      connectTimeout: 10_000,
      // engine.io ends every upgrade on this port it does not serve once it has gone a while
      // with no byte written (1 s by default): under the portal that includes the console's live
      // tail tunnelled to the game, whose 101 can take longer when the game is busy. An upgrade
      // nobody serves is still ended, after 10 s.
      destroyUpgradeTimeout: 10_000,
      allowRequest: (req, callback) => {
        if (!originAllowed(req.headers, config.webOrigins, config.webTrustProxy)) return callback('Origin not allowed', false);
        if (io.engine.clientsCount >= limits.maxConnections) return callback('Too many connections', false);
        callback(null, true);
      },
    });
    io.on('connection', (socket) => {
      try {
        // The same per-address limits as telnet's, on the player's address (behind a trusted proxy, its X-Forwarded-For).
        const address = clientAddress(socket.handshake.address, socket.handshake.headers, config.webTrustProxy);
        const refusal = ports.sessions.limits.admitConnection(address, 'web');
        if (refusal) {
          socket.emit('output', `${refusal}\n`);
          // After the output is queued; a server-side disconnect tells the page not to reconnect.
          setImmediate(() => socket.disconnect(true));
          return;
        }
        new WebConnection(ports, socket, limits);
      } catch (error) {
        ports.log.server.error(`Web connection setup failed: ${escapeForLog(String((error as Error)?.stack ?? error))}`);
        socket.disconnect(true);
      }
    });
    for (const mount of mounts) mount.attach(httpServer);
    httpServer.on('clientError', (_error, socket) => socket.destroy());

    let listening = false;
    return {
      name: 'web',
      listen: () =>
        new Promise<number>((resolve, reject) => {
          httpServer.once('error', reject);
          httpServer.listen(config.webPort, config.host, () => {
            httpServer.off('error', reject);
            httpServer.on('error', (error) => ports.log.server.error(`Web listener error: ${error.message}`));
            listening = true;
            resolve((httpServer.address() as import('node:net').AddressInfo).port);
          });
        }),
      close: async () => {
        // Sessions have said goodbye by now; give those words a moment to reach the browsers.
        const deadline = Date.now() + limits.flushTimeoutMs;
        while (io.engine.clientsCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const mount of mounts) await mount.close();
        if (!listening) return;
        listening = false;
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
          httpServer.closeAllConnections();
        });
      },
    };
  };
}
