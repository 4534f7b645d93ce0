/**
 * Console sessions: a random 32-byte id in a cookie, the account it belongs to in memory here.
 * Nothing is persisted: a restart logs every operator out, which is the safe direction.
 */
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { CLIENT_PROTO_HEADER, FROM_PORTAL } from '../web/guards.ts';

export const COOKIE_NAME = 'mud_admin';
export const COOKIE_PATH = '/admin';

export interface AdminSession {
  readonly id: string;
  readonly accountId: number;
  readonly accountName: string;
  readonly address: string;
  /** The account's password-change count at login: a later change voids this session. */
  readonly passwordChanges: number;
  readonly createdAt: number;
  lastSeen: number;
}

export class AdminSessions {
  private readonly sessions = new Map<string, AdminSession>();

  constructor(
    private readonly limits: { idleMs: number; maxMs: number; maxSessions: number },
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  create(accountId: number, accountName: string, address: string, passwordChanges = 0): AdminSession {
    this.sweep();
    const now = this.now();
    const session: AdminSession = { id: crypto.randomBytes(32).toString('base64url'), accountId, accountName, address, passwordChanges, createdAt: now, lastSeen: now };
    this.sessions.set(session.id, session);
    // Past the cap the oldest login goes: a flood of logins cannot grow memory.
    while (this.sessions.size > this.limits.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return session;
  }

  /** The live session with this id (its idle clock restarted when `touch`), or null. */
  get(id: string | null | undefined, touch = true): AdminSession | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (this.expired(session, this.now())) {
      this.sessions.delete(id);
      return null;
    }
    if (touch) session.lastSeen = this.now();
    return session;
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }

  /** Drops expired sessions; returns how many. */
  sweep(): number {
    const now = this.now();
    let gone = 0;
    for (const session of this.sessions.values()) {
      if (this.expired(session, now)) {
        this.sessions.delete(session.id);
        gone++;
      }
    }
    return gone;
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
