/**
 * The operators' web audit console and /metrics, mounted on the web front end's port by the start-up
 * wiring (server/front_ends.ts). See README.md here.
 *
 *   GET  /admin                 the page (web/admin/): log in, characters, history, events, live tail
 *   POST /admin/api/login       {name, password} -> session cookie (Admins only)
 *   POST /admin/api/logout
 *   GET  /admin/api/me | characters | history?character=… | events?… | stats
 *   socket.io path /admin/socket.io, namespace /admin: `events` {events, skipped} as they happen
 *   GET  /metrics               Prometheus text (loopback only by default)
 */
import type http from 'node:http';
import type express from 'express';
import { Server, type Socket } from 'socket.io';
import { diskSpace } from '../disk_space.ts';
import type { ConsolePorts } from './ports.ts';
import { escapeForLog } from '../text.ts';
import { originAllowed, requestAddress } from '../web/guards.ts';
import type { WebMount } from '../web/http.ts';
import { LiveTail, type TailSubscriber } from './live_tail.ts';
import { METRICS_CONTENT_TYPE, metricsAccess, renderMetrics } from './metrics.ts';
import { adminRouter, type Authorised, type ConsoleContext } from './routes.ts';
import { AdminSessions, COOKIE_NAME, cookieValue } from './sessions.ts';
import { resolveAdminSettings, type AdminSettings } from '../config.ts';

/** The live tail's engine.io path: under /admin, so the Path=/admin cookie goes along. */
export const SOCKET_PATH = '/admin/socket.io';
export const NAMESPACE = '/admin';

export class AdminConsole implements WebMount {
  readonly settings: AdminSettings;
  readonly sessions: AdminSessions;
  readonly tail: LiveTail;
  private io: Server | null = null;
  private readonly sockets = new Map<Socket, { sessionId: string; subscriber: TailSubscriber }>();
  private unsubscribe: () => void = () => {};
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly ports: ConsolePorts,
    options: Partial<AdminSettings> = {},
  ) {
    // The configured settings (file and environment), then the caller's options (tests).
    this.settings = resolveAdminSettings(ports.config.admin, options);
    const s = this.settings;
    this.sessions = new AdminSessions({ idleMs: s.sessionIdleMs, maxMs: s.sessionMaxMs, maxSessions: s.maxSessions }, Date.now, ports.consoleSessions);
    this.tail = new LiveTail({ queue: s.tailQueue, batch: s.tailBatch, unsent: s.tailUnsent });
    if (s.enabled) {
      const untail = ports.audit.subscribe(this.tail.sink);
      // A changed password voids the account's cookies at their next request (authorise); its
      // live tail sockets are closed now rather than at the next sweep.
      const unwatch = ports.audit.subscribe((event) => {
        if (event.event_type === 'password_changed' && event.success) this.sweep();
      });
      this.unsubscribe = () => {
        untail();
        unwatch();
      };
    }
  }

  /** Who this cookie belongs to: 401 without a live session, 403 when not (or no longer) an Admin. */
  authorise(headers: http.IncomingHttpHeaders, touch = true): Authorised {
    const session = this.sessions.get(cookieValue(headers, COOKIE_NAME), touch);
    if (!session) return { ok: false, status: 401 };
    const account = this.ports.accounts.byId(session.accountId);
    // Gone, or its password changed since this cookie was issued (after a break-in the owner or
    // an admin changes it, and every session made with the old one must end): logged out.
    if (!account || account.passwordChanges !== session.passwordChanges) {
      this.sessions.delete(session.id);
      return { ok: false, status: 401 };
    }
    if (!account.hasPermission('Admin')) return { ok: false, status: 403 };
    return { ok: true, session, account };
  }

  /** Adds /metrics and /admin to the web front end's express app (before its static files). */
  mount(app: express.Express, webDir: string): void {
    const trustProxy = this.ports.config.webTrustProxy;
    app.get('/metrics', (req, res) => {
      // The address as the console sees it (the portal's word for it on the private socket), already past X-Forwarded-For.
      const status = metricsAccess(this.settings, requestAddress(req, trustProxy), req.headers, false);
      res.set('Cache-Control', 'no-store');
      if (status === 404) return res.status(404).type('text').send('Not found.\n');
      if (status === 403) return res.status(403).type('text').send('Metrics are served to loopback addresses only (see admin.metrics in the configuration).\n');
      res.type(METRICS_CONTENT_TYPE).send(renderMetrics(this.ports, this.counters()));
    });
    if (!this.settings.enabled) {
      // Not even the page's files (web/admin/ is also under the webclient's static root).
      app.use('/admin', (_req, res) => res.status(404).type('text').send('Not found.\n'));
      return;
    }
    const ctx: ConsoleContext = {
      ports: this.ports,
      sessions: this.sessions,
      webDir,
      authorise: (headers) => this.authorise(headers),
      ended: (sessionId) => this.dropSockets((entry) => entry.sessionId === sessionId),
      stats: () => ({
        trail: this.ports.auditTrail.stats(),
        players_online: this.ports.sessions.loggedIn().length,
        connections: this.ports.sessions.count,
        uptime_seconds: Math.floor((Date.now() - this.ports.startedAt.getTime()) / 1000),
        rss_bytes: process.memoryUsage.rss(),
        disk: diskSpace([this.ports.config.dataDir, this.ports.config.logDir]),
        ...this.counters(),
      }),
    };
    app.use('/admin', adminRouter(ctx));
  }

  private counters() {
    return { adminSessions: this.sessions.size, liveSockets: this.sockets.size, liveForwarded: this.tail.forwardedTotal, liveSkipped: this.tail.skippedTotal };
  }

  /** Starts the live tail's socket.io server on the front end's HTTP server. */
  attach(httpServer: http.Server): void {
    if (!this.settings.enabled || this.io) return;
    const trustProxy = this.ports.config.webTrustProxy;
    const io = new Server(httpServer, {
      path: SOCKET_PATH,
      serveClient: false, // the page loads the client from the webclient's /socket.io/
      // The main socket.io server on this port handles its own upgrades; leave them alone.
      destroyUpgrade: false,
      maxHttpBufferSize: 1024, // the page sends nothing
      connectTimeout: 10_000,
      // Checked before any engine.io connection exists: only our own page, only a live Admin session.
      allowRequest: (req, callback) => {
        if (!originAllowed(req.headers, [], trustProxy)) return callback('Origin not allowed', false);
        if (this.closed || this.sockets.size >= this.settings.maxSockets) return callback('Too many connections', false);
        if (!this.authorise(req.headers, false).ok) return callback('Not authorised', false);
        callback(null, true);
      },
    });
    this.io = io;
    io.use((_socket, next) => next(new Error(`Use the ${NAMESPACE} namespace`)));
    const live = io.of(NAMESPACE);
    // Again when joining the namespace (and on every sweep): the session may have ended since.
    live.use((socket, next) => {
      const who = this.authorise(socket.request.headers, false);
      if (who.ok) return next();
      const error = new Error(who.status === 401 ? 'unauthorised' : 'forbidden') as Error & { data?: unknown };
      error.data = { status: who.status };
      next(error);
    });
    live.on('connection', (socket) => {
      try {
        const sessionId = cookieValue(socket.request.headers, COOKIE_NAME)!;
        const subscriber = this.tail.subscribe((batch) => socket.emit('events', batch));
        this.sockets.set(socket, { sessionId, subscriber });
        socket.conn.on('drain', () => subscriber.drained());
        socket.on('disconnect', () => {
          this.tail.unsubscribe(subscriber);
          this.sockets.delete(socket);
        });
      } catch (error) {
        this.ports.log.server.error(`Admin live socket setup failed: ${escapeForLog(String((error as Error)?.stack ?? error))}`);
        socket.disconnect(true);
      }
    });
    this.sweeper = setInterval(() => this.sweep(), this.settings.sweepMs);
    this.sweeper.unref();
  }

  /** Expired sessions go; live sockets whose session ended or lost Admin are closed. */
  sweep(): void {
    this.sessions.sweep();
    this.dropSockets(({ sessionId }) => {
      const session = this.sessions.get(sessionId, false);
      if (!session) return true;
      const account = this.ports.accounts.byId(session.accountId);
      return !account?.hasPermission('Admin') || account.passwordChanges !== session.passwordChanges;
    });
  }

  private dropSockets(which: (entry: { sessionId: string }) => boolean): void {
    for (const [socket, entry] of this.sockets) {
      if (!which(entry)) continue;
      this.tail.unsubscribe(entry.subscriber);
      this.sockets.delete(socket);
      socket.emit('ended', { reason: 'session ended' });
      socket.disconnect(true);
    }
  }

  /** Closes the live sockets and stops forwarding; the HTTP server is the front end's to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.unsubscribe();
    this.tail.close();
    for (const socket of this.sockets.keys()) socket.disconnect(true);
    this.sockets.clear();
    this.io?.engine.close();
  }
}
