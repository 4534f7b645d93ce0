/**
 * Console sessions: a random 32-byte id in a cookie, the account it belongs to here. Kept by a
 * ConsoleSessionKeeper (the database) so that a reload, which starts a new game process, does
 * not log every operator out; the keeper only ever sees the cookie's SHA-256, so the table gives
 * nobody a usable cookie. The idle and maximum ages still end a session, a password change
 * still voids it (AdminConsole.authorise), and logging out deletes it.
 */
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConsoleSessionRecord } from '../store/index.ts';
import { CLIENT_PROTO_HEADER, FROM_PORTAL } from '../web/guards.ts';

export const COOKIE_NAME = 'mud_admin';
export const COOKIE_PATH = '/admin';

/**
 * How stale a kept last_seen may be: a busy operator's every request is not a database write.
 * A session loaded after a reload may so end this much early, never late.
 */
const TOUCH_WRITE_MS = 60_000;

export interface AdminSession {
  /**
   * The cookie's value. A session loaded from the keeper knows it only from the first request
   * that shows it (the keeper has its hash); until then no one holds this object.
   */
  id: string;
  readonly accountId: number;
  readonly accountName: string;
  readonly address: string;
  /** The account's password-change count at login: a later change voids this session. */
  readonly passwordChanges: number;
  readonly createdAt: number;
  lastSeen: number;
}

/** Where console logins outlive the game process (server/store/console_session_store.ts). */
export interface ConsoleSessionKeeper {
  load(): Iterable<ConsoleSessionRecord>;
  save(record: ConsoleSessionRecord): void;
  touch(cookieHash: string, lastSeen: number): void;
  remove(cookieHash: string): void;
}

interface Held {
  readonly session: AdminSession;
  /** The last_seen the keeper has. */
  keptSeen: number;
}

const cookieHash = (id: string) => crypto.createHash('sha256').update(id).digest('base64url');

export class AdminSessions {
  /** By the cookie's hash, oldest login first. */
  private readonly sessions = new Map<string, Held>();

  constructor(
    private readonly limits: { idleMs: number; maxMs: number; maxSessions: number },
    private readonly now: () => number = Date.now,
    private readonly keeper: ConsoleSessionKeeper | null = null,
  ) {
    const at = this.now();
    for (const kept of keeper?.load() ?? []) {
      const { cookieHash: hash, ...fields } = kept;
      const session: AdminSession = { id: '', ...fields };
      if (this.expired(session, at)) keeper!.remove(hash);
      else this.sessions.set(hash, { session, keptSeen: session.lastSeen });
    }
    this.trim();
  }

  get size(): number {
    return this.sessions.size;
  }

  create(accountId: number, accountName: string, address: string, passwordChanges = 0): AdminSession {
    this.sweep();
    const now = this.now();
    const session: AdminSession = { id: crypto.randomBytes(32).toString('base64url'), accountId, accountName, address, passwordChanges, createdAt: now, lastSeen: now };
    const hash = cookieHash(session.id);
    this.sessions.set(hash, { session, keptSeen: now });
    const { id: _cookie, ...fields } = session;
    this.keeper?.save({ cookieHash: hash, ...fields });
    this.trim();
    return session;
  }

  /** The live session with this id (its idle clock restarted when `touch`), or null. */
  get(id: string | null | undefined, touch = true): AdminSession | null {
    if (!id) return null;
    const hash = cookieHash(id);
    const held = this.sessions.get(hash);
    if (!held) return null;
    const now = this.now();
    if (this.expired(held.session, now)) {
      this.forget(hash);
      return null;
    }
    held.session.id = id;
    if (touch) {
      held.session.lastSeen = now;
      if (now - held.keptSeen >= Math.min(TOUCH_WRITE_MS, this.limits.idleMs / 4)) {
        held.keptSeen = now;
        this.keeper?.touch(hash, now);
      }
    }
    return held.session;
  }

  delete(id: string): boolean {
    return this.forget(cookieHash(id));
  }

  /** Drops expired sessions; returns how many. */
  sweep(): number {
    const now = this.now();
    let gone = 0;
    for (const [hash, { session }] of this.sessions) {
      if (this.expired(session, now)) {
        this.forget(hash);
        gone++;
      }
    }
    return gone;
  }

  /** Past the cap the oldest login goes: a flood of logins cannot grow memory or the table. */
  private trim(): void {
    while (this.sessions.size > this.limits.maxSessions) this.forget(this.sessions.keys().next().value!);
  }

  private forget(hash: string): boolean {
    if (!this.sessions.delete(hash)) return false;
    this.keeper?.remove(hash);
    return true;
  }

  private expired(session: AdminSession, now: number): boolean {
    return now - session.lastSeen >= this.limits.idleMs || now - session.createdAt >= this.limits.maxMs;
  }
}

/** The value of one cookie from a Cookie header, or null. Ids are base64url, so no decoding. */
export function cookieValue(headers: IncomingHttpHeaders, name: string): string | null {
  const header = headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,100}$/.test(value) ? value : null;
    }
  }
  return null;
}

/** The Set-Cookie value for a session id (or, with null, one that removes the cookie). */
export function sessionCookie(id: string | null, secure: boolean): string {
  const parts = [`${COOKIE_NAME}=${id ?? ''}`, 'HttpOnly', 'SameSite=Strict', `Path=${COOKIE_PATH}`];
  if (id === null) parts.push('Max-Age=0');
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * Did this request reach us over https? Directly (a TLS socket), or through our own reverse
 * proxy that says so in X-Forwarded-Proto (believed only with trustProxy, like X-Forwarded-For),
 * or, on the game's private socket, as the portal found it (its CLIENT_PROTO_HEADER).
 */
export function cameOverHttps(socket: { encrypted?: boolean } | undefined, headers: IncomingHttpHeaders, trustProxy: boolean): boolean {
  if ((socket as { [FROM_PORTAL]?: boolean } | undefined)?.[FROM_PORTAL]) return headers[CLIENT_PROTO_HEADER] === 'https';
  if (socket?.encrypted) return true;
  if (!trustProxy) return false;
  // Any https in the chain counts: a wrong guess only adds Secure, which is the safe direction.
  const raw = headers['x-forwarded-proto'];
  const values = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',');
  return values.some((v) => v.trim().toLowerCase() === 'https');
}
