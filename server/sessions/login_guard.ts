/**
 * Login protection. Every attempt is counted the moment it starts, before its password is
 * hashed, so guesses sent in parallel at one name are refused once the limit is reached instead
 * of all being evaluated during the hash; a right password takes its own count back.
 *
 *  - An address (IPv6 by its /64, see server/net/address.ts) with too many failed attempts in the
 *    window is refused for every name for a while.
 *  - A name with too many failed attempts is refused only to addresses that have not logged in
 *    to it before: rotating addresses cannot keep guessing it, and a guesser cannot lock its
 *    owner out from where the owner usually plays.
 *
 * The counts live in memory; the lock-outs they started are also kept through `LockoutKeeper`
 * (the game database), so a restart does not lift them: only `@unlock` or their time does.
 */
import { addressKey } from '../net/address.ts';

export interface LoginGuardSettings {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardSettings = { maxFailures: 5, windowMs: 10 * 60_000, lockMs: 15 * 60_000 };

/** Keys tracked at most; past it the oldest are forgotten, so a spray of names cannot hoard memory. */
const MAX_KEYS = 50_000;
/** Addresses remembered per name as having logged in to it. */
const MAX_TRUSTED_PER_NAME = 20;

export interface Lockout {
  /** What is locked: the name tried (for this address) or the address. */
  reason: 'name' | 'address';
  failures: number;
  retryAfterMs: number;
}

/** An attempt let through: settle it with its outcome once the password has been checked. */
export interface LoginTicket {
  readonly name: string;
  readonly address: string;
  readonly at: number;
}

/**
 * One counted attempt: when, from which address key (so a good login takes back its own), and
 * whether its password is still being checked.
 */
interface Attempt {
  at: number;
  from: string;
  pending: boolean;
}

/** Where lock-outs outlive the process (server/store/lockout_store.ts); none: in memory only. */
export interface LockoutKeeper {
  load(now: number): Iterable<[key: string, until: number]>;
  save(key: string, until: number, now: number): void;
  remove(key: string): void;
}

export class LoginGuard {
  private readonly attempts = new Map<string, Attempt[]>();
  private readonly lockedUntil = new Map<string, number>();
  /** Per name, the address keys that logged in to it while this server ran. */
  private readonly trusted = new Map<string, Set<string>>();

  constructor(
    private readonly settings: LoginGuardSettings = DEFAULT_LOGIN_GUARD,
    private readonly now: () => number = Date.now,
    private readonly keeper: LockoutKeeper | null = null,
  ) {
    for (const [key, until] of keeper?.load(now()) ?? []) this.remember(this.lockedUntil, key, until);
  }

  /**
   * The lock-out in force for this name from this address, if any; counts nothing. `knownFrom`
   * is an address the account logged in from before (its last login, kept in the database).
   */
  check(name: string, address: string, knownFrom: string | null = null): Lockout | null {
    return this.lockFor(name, addressKey(address), this.now(), knownFrom);
  }

  /** Counts an attempt before its password is checked: a ticket, or the lock-out that refuses it. */
  begin(name: string, address: string, knownFrom: string | null = null): LoginTicket | Lockout {
    const now = this.now();
    const from = addressKey(address);
    const lock = this.lockFor(name, from, now, knownFrom);
    if (lock) return lock;
    for (const key of [nameKey(name), addrKey(from)]) this.remember(this.attempts, key, [...this.recent(key, now), { at: now, from, pending: true }]);
    return { name, address, at: now };
  }

  /** The password was wrong: the attempt stays counted. Returns the lock-out it started, if any. */
  failed(ticket: LoginTicket): Lockout | null {
    const now = this.now();
    const from = addressKey(ticket.address);
    let started: Lockout | null = null;
    for (const [reason, key] of [['address', addrKey(from)], ['name', nameKey(ticket.name)]] as const) {
      const mine = this.attempts.get(key)?.find((a) => a.at === ticket.at && a.from === from && a.pending);
      if (mine) mine.pending = false;
      const failures = this.recent(key, now).filter((a) => !a.pending).length;
      if (failures < this.settings.maxFailures || (this.lockedUntil.get(key) ?? 0) > now) continue;
      this.remember(this.lockedUntil, key, now + this.settings.lockMs);
      this.keeper?.save(key, now + this.settings.lockMs, now);
      started ??= { reason, failures, retryAfterMs: this.settings.lockMs };
    }
    return started;
  }

  /**
   * The right password: the attempt is taken back, with the name's earlier failures from this
   * address (the owner's own typos), and the address is trusted for the name from now on. The
   * address keeps its other failures (it may be shared), and failures from elsewhere stay.
   */
  succeeded(ticket: LoginTicket): void {
    this.withdrawn(ticket);
    const from = addressKey(ticket.address);
    const byName = this.attempts.get(nameKey(ticket.name));
    if (byName) this.attempts.set(nameKey(ticket.name), byName.filter((a) => a.from !== from));
    const trusted = this.trusted.get(nameKey(ticket.name)) ?? new Set<string>();
    trusted.delete(from);
    trusted.add(from);
    if (trusted.size > MAX_TRUSTED_PER_NAME) trusted.delete(trusted.values().next().value!);
    this.remember(this.trusted, nameKey(ticket.name), trusted);
  }

  /**
   * `@unlock`: lifts the lock-out of a name or an address (IPv6: its /64), and forgets its
   * counted attempts. False if neither was locked out nor had any.
   */
  unlock(nameOrAddress: string): boolean {
    let found = false;
    for (const key of [nameKey(nameOrAddress), addrKey(addressKey(nameOrAddress))]) {
      if (this.lockedUntil.has(key)) this.keeper?.remove(key);
      found = this.lockedUntil.delete(key) || found;
      found = this.attempts.delete(key) || found;
    }
    return found;
  }

  /** The password was never checked (the hash queue was full): the attempt is not counted. */
  withdrawn(ticket: LoginTicket): void {
    const from = addressKey(ticket.address);
    for (const key of [addrKey(from), nameKey(ticket.name)]) {
      const list = this.attempts.get(key);
      const mine = list?.findIndex((a) => a.at === ticket.at && a.from === from) ?? -1;
      if (list && mine >= 0) list.splice(mine, 1);
    }
  }

  /** An address is locked whoever it tries; a name only for addresses it does not know. */
  private lockFor(name: string, from: string, now: number, knownFrom: string | null): Lockout | null {
    const address = this.lockOf('address', addrKey(from), now);
    if (address) return address;
    const known = this.trusted.get(nameKey(name))?.has(from) || (knownFrom !== null && addressKey(knownFrom) === from);
    if (!known) return this.lockOf('name', nameKey(name), now);
    // The owner's own address is never locked out of the name, but even from there only so many
    // passwords for one name are checked at once: parallel guesses must not all be evaluated.
    const checking = this.recent(nameKey(name), now).filter((a) => a.pending && a.from === from);
    if (checking.length < this.settings.maxFailures) return null;
    return { reason: 'name', failures: checking.length, retryAfterMs: 1000 };
  }

  /**
   * Locked until a time, or as many attempts in the window as allowed: for a name, failed ones
   * and those still being checked (parallel guesses at one name are the race this closes); for
   * an address, failed ones only, so many players behind one address can log in at once (the
   * hash queue bounds how many guesses at many names one address gets checked).
   */
  private lockOf(reason: Lockout['reason'], key: string, now: number): Lockout | null {
    const until = this.lockedUntil.get(key);
    if (until !== undefined && until <= now) {
      // Served: the attempts that earned it are forgotten, and the limit starts again.
      this.lockedUntil.delete(key);
      this.keeper?.remove(key);
      this.attempts.delete(key);
    }
    const failures = this.recent(key, now).filter((a) => reason === 'name' || !a.pending);
    if (until !== undefined && until > now) return { reason, failures: failures.length, retryAfterMs: until - now };
    if (failures.length < this.settings.maxFailures) return null;
    return { reason, failures: failures.length, retryAfterMs: Math.max(failures[0]!.at + this.settings.windowMs - now, 1000) };
  }

  private recent(key: string, now: number): Attempt[] {
    return (this.attempts.get(key) ?? []).filter((a) => now - a.at < this.settings.windowMs);
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value!);
  }
}

const nameKey = (name: string) => `name:${name.toLowerCase()}`;
const addrKey = (from: string) => `addr:${from}`;
