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
  /**
   * Counts password changes in this process. A console session remembers the count it was made
   * under and is void once it differs, so a changed password ends every console cookie issued
   * before it (those live in memory only, as does this count). A re-hash is not a change.
   */
  passwordChanges = 0;

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

  /** Holds a higher level than `other` (an Admin may not reset a Developer's password). */
  outranks(other: Account): boolean {
    return PERMISSION_LEVELS.indexOf(this.permissionLevel) > PERMISSION_LEVELS.indexOf(other.permissionLevel);
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

  /**
   * A password change, by the owner (`password`) or by an admin (`@password`, `resetBy` their
   * account name). A reset the owner did not make is remembered until their next login, where
   * they are told: a stolen admin account resetting passwords is then noticed by the victims.
   */
  async changePassword(password: string, resetBy: string | null = null): Promise<void> {
    await this.setPassword(password);
    this.passwordChanges++;
    const at = resetBy ? new Date().toISOString() : null;
    Object.assign(this.record, { passwordResetBy: resetBy, passwordResetAt: at });
    this.store.setPasswordReset(this.id, resetBy, at);
  }

  /** The admin reset of this password the owner has not been told of yet, if any. */
  get passwordResetNotice(): { by: string; at: string } | null {
    const { passwordResetBy: by, passwordResetAt: at } = this.record;
    return by && at ? { by, at } : null;
  }

  /** A good login: remembered with its address; the failed-login count and reset notice start again. */
  recordLogin(address: string, protocol: string): void {
    const at = new Date().toISOString();
    Object.assign(this.record, { lastLogin: at, lastLoginAddr: address, lastProtocol: protocol, failedLogins: 0, passwordResetBy: null, passwordResetAt: null });
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
