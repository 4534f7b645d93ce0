/**
 * The GMCP a session speaks, whatever carries it (telnet's IAC SB GMCP, or the webclient's
 * `oob` event): which packages the client asked for (Core.Supports.*), and what a client may
 * send us, checked before anything acts on it.
 *
 * Modules follow IRE's GMCP (https://nexus.ironrealms.com/GMCP): a message belongs to its name
 * minus the last part (`Char.Items.List` to `Char.Items`, `Room.Info` to `Room`), and a client
 * that sent `Core.Supports.Set` gets only the messages of the modules it listed. One that never
 * sent it (the webclient, a plain GMCP client) gets every message, as before Core.Supports was
 * honoured.
 */
import { gmcpPackageName } from './protocol_errors.ts';

/** The longest message we read, as JSON: far above any real Core.Supports or login. */
export const MAX_OOB_CHARS = 4096;
/** Modules one client may list; Mudlet lists nine. */
const MAX_MODULES = 64;
/** `Char.Items 1`: a module name, optionally its version. */
const MODULE_ENTRY = /^([A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)*)(?: +(\d{1,6}))?$/;
const MAX_NAME = 64;
const MAX_PASSWORD = 512;

/** The modules a client supports; null until it says (then everything is sent). */
export class OobSupports {
  private modules: Set<string> | null = null;

  /** True once the client sent a Core.Supports message. */
  get declared(): boolean {
    return this.modules !== null;
  }

  /** Core.Supports.Set replaces the list; Add adds to it; Remove takes modules out. */
  apply(verb: 'set' | 'add' | 'remove', modules: readonly string[]): void {
    if (verb === 'set' || !this.modules) this.modules = new Set();
    for (const module of modules) {
      if (verb === 'remove') this.modules.delete(module);
      else if (this.modules.size < MAX_MODULES) this.modules.add(module);
    }
  }

  /** May a message `pkg` go to this client? Core.* always may. */
  allows(pkg: string): boolean {
    if (!this.modules) return true;
    const dot = pkg.lastIndexOf('.');
    const module = (dot < 0 ? pkg : pkg.slice(0, dot)).toLowerCase();
    return module === 'core' || this.modules.has(module);
  }

  /** The modules listed, for a reload's snapshot; null while the client never said. */
  list(): string[] | null {
    return this.modules ? [...this.modules] : null;
  }

  /** Takes back what `list()` gave (a session resumed by a new game process after a reload). */
  restore(modules: readonly string[] | null | undefined): void {
    this.modules = modules ? new Set(modules.slice(0, MAX_MODULES).map((m) => m.toLowerCase())) : null;
  }

  has(module: string): boolean {
    return this.modules === null || this.modules.has(module.toLowerCase());
  }
}

/**
 * What a client may send us, once checked. `malformed`: a package we take, with data of the
 * wrong shape or a message over the size limit (a protocol error; only the package name is
 * kept, as the data may hold a password). An unknown package is `null` and ignored: clients
 * send many we have no use for.
 */
export type OobRequest =
  | { kind: 'malformed'; pkg: string }
  | { kind: 'supports'; verb: 'set' | 'add' | 'remove'; modules: string[] }
  | { kind: 'ping' }
  | { kind: 'hello' }
  | { kind: 'login'; name: string; password: string }
  | { kind: 'items'; location: 'room' | 'inv' };

/**
 * Checks one message from a client: its size and the JSON shape its package takes. Returns
 * `malformed` for a known package's bad data or anything oversized, null for an unknown package.
 */
export function parseOobRequest(pkg: unknown, data: unknown): OobRequest | null {
  if (typeof pkg !== 'string' || pkg.length > 128) return null;
  let size: number;
  try {
    size = data === undefined ? 0 : JSON.stringify(data).length;
  } catch {
    return null;
  }
  if (size > MAX_OOB_CHARS) return { kind: 'malformed', pkg };
  const request = knownRequest(pkg, data);
  return request === BAD_DATA ? { kind: 'malformed', pkg } : request;
}

/** A `malformed` request's protocol_error excerpt: the package name's safe characters, never its data. */
export function malformedExcerpt(pkg: string): string {
  return `${gmcpPackageName(pkg)} (data of the wrong shape, or too big)`;
}

/** A package this game takes, with data it cannot use: a protocol error, not an unknown package. */
const BAD_DATA = Symbol('bad data');

/** The request a package we take makes of its data; BAD_DATA if that is not its shape; null for a package we do not take. */
function knownRequest(pkg: string, data: unknown): OobRequest | typeof BAD_DATA | null {
  switch (pkg.toLowerCase()) {
    case 'core.supports.set':
    case 'core.supports.add':
    case 'core.supports.remove': {
      const modules = moduleList(data);
      if (!modules) return BAD_DATA;
      return { kind: 'supports', verb: pkg.slice('core.supports.'.length).toLowerCase() as 'set' | 'add' | 'remove', modules };
    }
    case 'core.ping':
      return data === undefined || typeof data === 'number' ? { kind: 'ping' } : BAD_DATA;
    case 'core.hello':
      return isRecord(data) ? { kind: 'hello' } : BAD_DATA;
    case 'char.login.credentials': {
      // Mudlet sends {"account": …, "password": …}; "name" is accepted for other clients.
      if (!isRecord(data)) return BAD_DATA;
      const name = data.account ?? data.name;
      const { password } = data;
      if (typeof name !== 'string' || typeof password !== 'string') return BAD_DATA;
      if (!name.trim() || name.length > MAX_NAME || !password || password.length > MAX_PASSWORD) return BAD_DATA;
      return { kind: 'login', name: name.trim(), password };
    }
    case 'char.items.inv':
      return data === undefined || isRecord(data) || data === '' ? { kind: 'items', location: 'inv' } : BAD_DATA;
    case 'char.items.room':
      return data === undefined || isRecord(data) || data === '' ? { kind: 'items', location: 'room' } : BAD_DATA;
    default:
      return null;
  }
}

/** `["Char 1", "Room 1"]` → ['char', 'room'], or null when it is not such a list. */
function moduleList(data: unknown): string[] | null {
  if (!Array.isArray(data) || data.length > MAX_MODULES) return null;
  const modules: string[] = [];
  for (const entry of data) {
    if (typeof entry !== 'string' || entry.length > MAX_NAME) return null;
    const match = MODULE_ENTRY.exec(entry.trim());
    if (!match) return null;
    modules.push(match[1]!.toLowerCase());
  }
  return modules;
}

function isRecord(data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}
