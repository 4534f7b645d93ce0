import type { AccountRecord, ObjectStore } from '../server/store/index.ts';
import type { PasswordHasher } from './passwords.ts';

/** Evennia's permission hierarchy: holding one level grants every level below it. */
export const PERMISSION_LEVELS = ['Guest', 'Player', 'Helper', 'Builder', 'Admin', 'Developer'] as const;
export type Permission = (typeof PERMISSION_LEVELS)[number];

export function isPermission(name: string): name is Permission {
  return (PERMISSION_LEVELS as readonly string[]).includes(name);
}

/** A player's login: name, password hash, permissions. Owns one character. */
export class Account {
  constructor(
    private readonly store: ObjectStore,
    readonly record: AccountRecord,
    private readonly hasher: PasswordHasher,
  ) {}

  get id(): number {
    return this.record.id;
  }
  get name(): string {
    return this.record.name;
  }
  get permissions(): readonly string[] {
    return this.record.permissions;
  }

  /** The highest level this account holds (Player when it holds none). */
  get permissionLevel(): Permission {
    let best = PERMISSION_LEVELS.indexOf('Player');
    for (const perm of this.record.permissions) {
      const rank = (PERMISSION_LEVELS as readonly string[]).indexOf(perm);
      if (rank > best) best = rank;
    }
    return PERMISSION_LEVELS[best]!;
  }

  hasPermission(level: Permission): boolean {
    return PERMISSION_LEVELS.indexOf(this.permissionLevel) >= PERMISSION_LEVELS.indexOf(level);
  }

  setPermissions(permissions: Permission[]): void {
    this.record.permissions = [...permissions];
    this.store.setPermissions(this.id, this.record.permissions);
  }

  /**
   * Whether `password` is this account's. A right password whose stored hash is weaker than
   * today's cost (an older server's N=2^14) is re-hashed afterwards, in the background: the
   * login does not wait for it, and a busy queue just leaves it for the next login.
   */
  async checkPassword(password: string): Promise<boolean> {
    const stored = this.record.passwordHash;
    const { ok, weaker } = await this.hasher.verify(password, stored);
    if (ok && weaker) {
      void this.hasher.hash(password).then(
        (hash) => {
          // Unless the password was changed meanwhile.
          if (this.record.passwordHash !== stored) return;
          this.record.passwordHash = hash;
          this.store.setPassword(this.id, hash);
        },
        () => {},
      );
    }
    return ok;
  }

  async setPassword(password: string): Promise<void> {
    const hash = await this.hasher.hash(password);
    this.record.passwordHash = hash;
    this.store.setPassword(this.id, hash);
  }

  /** A good login: remembered with its address, and the failed-login count starts again. */
  recordLogin(address: string, protocol: string): void {
    const at = new Date().toISOString();
    Object.assign(this.record, { lastLogin: at, lastLoginAddr: address, lastProtocol: protocol, failedLogins: 0 });
    this.store.recordLogin(this.id, at, address, protocol);
  }

  countFailedLogin(): void {
    this.record.failedLogins++;
    this.store.countFailedLogin(this.id);
  }

  /** Failed logins since the last good one (reset by `recordLogin`). */
  get failedLoginsSinceLastLogin(): number {
    return this.record.failedLogins;
  }
}
