import type { AccountRecord, ObjectStore } from '../server/store/index.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

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

  checkPassword(password: string): Promise<boolean> {
    return verifyPassword(password, this.record.passwordHash);
  }

  async setPassword(password: string): Promise<void> {
    const hash = await hashPassword(password);
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
