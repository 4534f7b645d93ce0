/**
 * The console's HTTP side, mounted at /admin: the page (web/admin/), login and logout, and the
 * JSON APIs. Every API but login answers 401 without a live session and 403 when its account is
 * not (or no longer) an Admin; nothing is read before that check.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { auditEvent, targetOf, type AuditActor } from '../audit/events.ts';
import type { ConsolePorts } from './ports.ts';
import { originAllowed, requestAddress } from '../web/guards.ts';
import { versionedPage } from '../web/page.ts';
import type { Account } from '../../typeclasses/account.ts';
import { AuditFilterError, characterHistory, listCharacters, parseEventSearch, searchEvents } from './queries.ts';
import { cameOverHttps, COOKIE_NAME, cookieValue, sessionCookie, type AdminSession, type AdminSessions } from './sessions.ts';
import { attemptLogin } from '../sessions/login.ts';
import { openReports } from './reports.ts';
import { describeProof } from '../audit/merkle/describe_proof.ts';

/** Every state-changing request carries this header; see README.md (CSRF). */
export const CSRF_HEADER = 'x-mud-admin';
export const PROTOCOL = 'web-admin';

export type Authorised = { ok: true; session: AdminSession; account: Account } | { ok: false; status: 401 | 403 };

export interface ConsoleContext {
  ports: ConsolePorts;
  sessions: AdminSessions;
  webDir: string;
  authorise(headers: Request['headers']): Authorised;
  /** A session ended (logout): its live sockets are closed. */
  ended(sessionId: string): void;
  stats(): Record<string, unknown>;
}

/** The page's files (web/admin/), all of them: their hash versions the URLs index.html gives them. */
const ASSETS = ['admin.js', 'admin.css', 'common.js', 'live.js', 'events.js', 'characters.js', 'history.js', 'reports.js', 'health.js'];

/** The page's files: web/admin/ of the front end's web dir, else this checkout's. */
export function adminDir(webDir: string): string {
  const dir = path.join(webDir, 'admin');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : path.resolve(import.meta.dirname, '../../web/admin');
}

function page(ctx: ConsoleContext): { html: string; version: string } {
  return versionedPage(adminDir(ctx.webDir), ASSETS, ctx.ports.config.serverName);
}

function problem(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

const REFUSALS = {
  401: 'Not logged in to the audit console (or the session has expired).',
  403: 'This account may not use the audit console: it needs Admin permission.',
} as const;

export function adminRouter(ctx: ConsoleContext): express.Router {
  const { ports } = ctx;
  const trustProxy = ports.config.webTrustProxy;
  const { html, version } = page(ctx);
  const router = express.Router({ strict: false });
  const addressOf = (req: Request) => requestAddress(req, trustProxy);

  const sendPage = (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache');
    res.set('X-Robots-Tag', 'noindex');
    res.type('html').send(html);
  };
  router.get(['/', '/index.html'], sendPage);
  router.use(
    express.static(adminDir(ctx.webDir), {
      index: false,
      dotfiles: 'ignore',
      redirect: false,
      setHeaders(res) {
        const versioned = (res.req as Request).query.v === version;
        res.setHeader('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate');
      },
    }),
  );

  const api = express.Router();
  router.use('/api', api);
  api.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  /**
   * CSRF: the session cookie is SameSite=Strict, and a state-changing request must also carry
   * our custom header (which a cross-site page cannot add without a CORS preflight we never
   * grant) and, when the browser says where it came from, come from our own origin.
   */
  const sameSite = (req: Request, res: Response, next: NextFunction) => {
    const fetchSite = req.get('sec-fetch-site');
    if (req.get(CSRF_HEADER) !== '1' || !originAllowed(req.headers, [], trustProxy) || (fetchSite && !['same-origin', 'none'].includes(fetchSite))) {
      return problem(res, 403, 'Refused: not a request from the audit console page.');
    }
    next();
  };

  api.post('/login', sameSite, express.json({ limit: '4kb' }), async (req, res) => {
    const body: unknown = req.body;
    const name = (body as { name?: unknown } | undefined)?.name;
    const password = (body as { password?: unknown } | undefined)?.password;
    if (typeof name !== 'string' || typeof password !== 'string' || !name.trim() || name.length > 100 || password.length > 1024) {
      return problem(res, 400, 'Send {"name": …, "password": …} as JSON.');
    }
    const tried = name.trim();
    const address = addressOf(req);
    const actor: AuditActor = { account: null, character: null, session_id: null, protocol: PROTOCOL, remote_addr: address };
    // The same guard, checks and events as the telnet `connect` (server/login.ts).
    const result = await attemptLogin(ports, { name: tried, address, audit: (type, fields) => ports.audit.emit(auditEvent(type, actor, fields)), payload: { via: 'admin' } }, password);
    if (result.outcome === 'locked') {
      res.set('Retry-After', String(Math.ceil(result.lock.retryAfterMs / 1000)));
      return problem(res, 429, result.message);
    }
    if (result.outcome === 'busy') {
      res.set('Retry-After', '5');
      return problem(res, 503, result.message);
    }
    if (result.outcome === 'wrong') return problem(res, 401, 'Wrong name or password.');
    const { account } = result;
    if (!account.hasPermission('Admin')) {
      // The right password, so not a guess: audited, but not counted towards a lock-out.
      ports.audit.emit(
        auditEvent('login_failed', { ...actor, account: account.name }, {
          success: false,
          target: targetOf(account),
          payload: { name_tried: tried, reason: 'not an admin', via: 'admin' },
        }),
      );
      return problem(res, 403, REFUSALS[403]);
    }
    const session = ctx.sessions.create(account.id, account.name, address, account.passwordChanges);
    ports.audit.emit(auditEvent('login_ok', { ...actor, account: account.name }, { target: targetOf(account), payload: { via: 'admin' } }));
    res.set('Set-Cookie', sessionCookie(session.id, cameOverHttps(req.socket as { encrypted?: boolean }, req.headers, trustProxy)));
    res.json({ name: account.name, permission: account.permissionLevel, failed_logins: account.failedLoginsSinceLastLogin });
  });

  api.post('/logout', sameSite, (req, res) => {
    res.set('Set-Cookie', sessionCookie(null, cameOverHttps(req.socket as { encrypted?: boolean }, req.headers, trustProxy)));
    const session = ctx.sessions.get(cookieValue(req.headers, COOKIE_NAME), false);
    if (session) {
      ctx.sessions.delete(session.id);
      ctx.ended(session.id);
      const account = ports.accounts.byId(session.accountId);
      ports.audit.emit(
        auditEvent('logout', { account: session.accountName, character: null, session_id: null, protocol: PROTOCOL, remote_addr: addressOf(req) }, {
          target: account ? targetOf(account) : null,
          payload: { reason: 'logout', via: 'admin' },
        }),
      );
    }
    res.status(204).end();
  });

  // Everything below needs an Admin's live session.
  api.use((req, res, next) => {
    const who = ctx.authorise(req.headers);
    if (!who.ok) return problem(res, who.status, REFUSALS[who.status]);
    res.locals.account = who.account;
    next();
  });

  api.get('/me', (_req, res) => {
    const account = res.locals.account as Account;
    res.json({ name: account.name, permission: account.permissionLevel });
  });

  api.get('/characters', (_req, res) => {
    res.json({ characters: listCharacters(ports) });
  });

  const tableOn = (res: Response): boolean => {
    if (ports.auditTrail.config.table) return true;
    problem(res, 503, 'The audit table is off on this server (MUD_AUDIT_TABLE=off).');
    return false;
  };

  api.get('/history', async (req, res) => {
    if (!tableOn(res)) return;
    try {
      res.json(await characterHistory(ports, req.query as Record<string, unknown>));
    } catch (error) {
      if (error instanceof AuditFilterError) return problem(res, 400, error.message);
      throw error;
    }
  });

  api.get('/events', async (req, res) => {
    if (!tableOn(res)) return;
    try {
      const search = parseEventSearch(req.query as Record<string, unknown>);
      res.json(await searchEvents(ports, search.query, search.page, search.limit));
    } catch (error) {
      if (error instanceof AuditFilterError) return problem(res, 400, error.message);
      throw error;
    }
  });

  // Players' open reports with their evidence (the Reports view; closing them is done in game).
  api.get('/reports', (_req, res) => {
    res.json({ reports: openReports(ports.staff) });
  });

  api.get('/stats', (_req, res) => {
    res.json(ctx.stats());
  });

  // A record of the JSONL trail with its Merkle inclusion proof (RFC 9162) against a signed checkpoint;
  // `text` is what @audit/proof and `npm run audit-proof` print (one describeProof for all three).
  api.get('/proof/:seq', async (req, res) => {
    const seq = /^\d+$/.test(String(req.params.seq)) ? Number(req.params.seq) : NaN;
    if (!Number.isSafeInteger(seq) || seq < 1) return problem(res, 400, 'seq must be a whole number from 1.');
    const outcome = await ports.auditTrail.proof(seq);
    if (!outcome.ok) return problem(res, 404, outcome.error);
    res.json({ ...outcome.answer, text: describeProof(outcome.answer) });
  });

  api.use((_req, res) => problem(res, 404, 'No such API.'));
  return router;
}
