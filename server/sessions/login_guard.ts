/**
 * Login protection: after too many failed logins for one name or one address within a window,
 * further attempts are refused for a while. In memory by design: a restart forgets lock-outs,
 * which the audit trail (every failure and lock-out is an event) still records.
 */
export interface LoginGuardSettings {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardSettings = { maxFailures: 5, windowMs: 10 * 60_000, lockMs: 15 * 60_000 };

/** Keys tracked at most; past it the oldest are forgotten, so a spray of names cannot hoard memory. */
const MAX_KEYS = 50_000;

export interface Lockout {
  /** What is locked: the name tried or the address. */
  reason: 'name' | 'address';
  failures: number;
  retryAfterMs: number;
}

export class LoginGuard {
  private readonly failures = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  constructor(
    private readonly settings: LoginGuardSettings = DEFAULT_LOGIN_GUARD,
    private readonly now: () => number = Date.now,
  ) {}

  /** The lock-out in force for this name or address, if any. */
  check(name: string, address: string): Lockout | null {
    const now = this.now();
    for (const [reason, key] of keysOf(name, address)) {
      const until = this.lockedUntil.get(key);
      if (until === undefined) continue;
      if (until > now) return { reason, failures: this.recent(key, now).length, retryAfterMs: until - now };
      this.lockedUntil.delete(key);
    }
    return null;
  }

  /** Counts a failure; returns the lock-out it started, if it was the one too many. */
  recordFailure(name: string, address: string): Lockout | null {
    const now = this.now();
    let started: Lockout | null = null;
    for (const [reason, key] of keysOf(name, address)) {
      const recent = [...this.recent(key, now), now];
      this.remember(this.failures, key, recent);
      if (recent.length >= this.settings.maxFailures && !started) {
        this.remember(this.lockedUntil, key, now + this.settings.lockMs);
        started = { reason, failures: recent.length, retryAfterMs: this.settings.lockMs };
      }
    }
    return started;
  }

  /**
   * `@unlock`: lifts the lock-out of a name or an address, and forgets its failures. False if
   * neither was locked out nor had failures.
   */
  unlock(nameOrAddress: string): boolean {
    let found = false;
    for (const key of [`name:${nameOrAddress.toLowerCase()}`, `addr:${nameOrAddress}`]) {
      found = this.lockedUntil.delete(key) || found;
      found = this.failures.delete(key) || found;
    }
    return found;
  }

  /** A good login clears the name's failures (the address keeps its own: it may be shared). */
  recordSuccess(name: string): void {
    this.failures.delete(`name:${name.toLowerCase()}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.settings.windowMs);
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value!);
  }
}

function keysOf(name: string, address: string): Array<['name' | 'address', string]> {
  return [
    ['name', `name:${name.toLowerCase()}`],
    ['address', `addr:${address}`],
  ];
}
