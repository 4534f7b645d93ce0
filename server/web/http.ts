/**
 * The webclient's HTTP side: the page and its assets from web/, /health, and the security
 * headers every response carries. The game itself travels over socket.io (see front_end.ts).
 */
import path from 'node:path';
import type http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { FrontEndPorts } from '../sessions/front_end.ts';
import { escapeForLog } from '../text.ts';
import { versionedPage } from './page.ts';

/**
 * Something else served on the web port, by the start-up wiring (the audit console and /metrics,
 * server/console/; under the portal, the routes it passes to the game, server/portal/game_web.ts):
 * its routes go before /health and the webclient's files, it may hook the HTTP server (its own
 * socket.io path, upgrades), and it is closed with the front end.
 */
export interface WebMount {
  mount(app: express.Express, webDir: string): void;
  attach(httpServer: http.Server): void;
  close(): Promise<void>;
}

export const WEB_DIR = path.resolve(import.meta.dirname, '../../web');

/**
 * No inline script or style anywhere, so the policy can forbid them: text a player typed can never
 * become code even if some bug let it reach the DOM as markup. The pages (the webclient and the
 * audit console under /admin) connect back to the origin they came from only: 'self' covers its
 * ws:/wss: forms too (CSP Level 3), so socket.io upgrades. Bare `ws: wss:` let a script, had one
 * ever run, send what it read to any host. The configured origins (MUD_WEB_ORIGINS) are added
 * with their WebSocket forms: where the page is served behind another name, it may talk to that.
 */
export function contentSecurityPolicy(webOrigins: readonly string[] = []): string {
  const others = webOrigins.flatMap((origin) => [origin, origin.replace(/^http/, 'ws')]);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...others].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    // Trusted Types with no policy: the browser itself refuses a string as markup or script
    // (innerHTML, insertAdjacentHTML, document.write, eval), so text can only ever be text.
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Files the page references; their combined hash versions their URLs (see `pageHtml`). */
const VERSIONED_ASSETS = ['style.css', 'client.js', 'ansi.js', 'links.js', 'secrets.js', 'history.js', 'output.js', 'panels.js', 'search.js'];

export function webApp(ports: FrontEndPorts, webDir = WEB_DIR, mounts: readonly WebMount[] = []): express.Express {
  const { html: page, version } = versionedPage(webDir, VERSIONED_ASSETS, ports.config.serverName);
  const app = express();
  app.disable('x-powered-by');

  const headers = { 'Content-Security-Policy': contentSecurityPolicy(ports.config.webOrigins), ...SECURITY_HEADERS };
  app.use((_req, res, next) => {
    res.set(headers);
    next();
  });

  // What the wiring mounts (the audit console and /metrics; under the portal, the routes it
  // passes to the game, /health among them) goes first.
  for (const mount of mounts) mount.mount(app, webDir);

  app.get('/health', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({
      up: true,
      uptime_seconds: Math.floor((Date.now() - ports.startedAt.getTime()) / 1000),
      players_online: ports.sessions.loggedIn().length,
    });
  });

  const sendPage = (_req: Request, res: Response) => {
    // Always revalidated, so a new release's asset URLs are seen at once.
    res.set('Cache-Control', 'no-cache');
    res.type('html').send(page);
  };
  app.get(['/', '/webclient', '/index.html'], sendPage);

  app.use(
    express.static(webDir, {
      index: false,
      dotfiles: 'ignore',
      redirect: false,
      setHeaders(res, file) {
        if (path.basename(file) === 'index.html') return;
        // Versioned URLs (?v=<hash of the assets>) never change content; bare ones revalidate (ETag).
        const versioned = (res.req as Request).query.v === version;
        res.setHeader('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate');
      },
    }),
  );

  app.use((_req, res) => {
    res.status(404).type('text').send('Not found. The webclient is at /\n');
  });

  app.use((error: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
    const status = error.status && error.status >= 400 && error.status < 600 ? error.status : 500;
    if (status >= 500) ports.log.server.error(`Web request ${escapeForLog(req.method)} ${escapeForLog(req.url)} failed: ${escapeForLog(String(error.stack ?? error))}`);
    if (res.headersSent) return;
    res.status(status).type('text').send(status >= 500 ? 'Internal error\n' : 'Bad request\n');
  });

  return app;
}
