import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Account } from './account.ts';
import { PasswordHasher, passwordText } from './passwords.ts';
import type { ObjectStore } from '../server/store/index.ts';

/** A rejection a person can act on; the message is shown to them as is. */
export class AccountError extends Error {
  override name = 'AccountError';
}

const NAME_RULE = /^[A-Za-z0-9_]{3,20}$/;
export const MIN_PASSWORD_LENGTH = 8;

export function validateAccountName(name: string): string | null {
  if (!NAME_RULE.test(name)) return 'Names are 3 to 20 letters, digits or underscores.';
  return null;
}

/** Judges the password as it will be hashed (see passwordText). */
export function validatePassword(typed: string): string | null {
  const password = passwordText(typed);
  if (password.length < MIN_PASSWORD_LENGTH) return `Passwords are at least ${MIN_PASSWORD_LENGTH} characters long.`;
  if (password.length > 256) return 'Passwords are at most 256 characters long.';
  return null;
}

/** Where the one-time admin token waits (server_state), while no account is a Developer. */
const ADMIN_TOKEN = 'accounts.admin_token';

/**
 * Finds, caches and creates accounts (every new one a Player), and hands out the Developer
 * level once, to whoever holds the admin token.
 */
export class AccountManager {
  private readonly byIdCache = new Map<number, Account>();
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly store: ObjectStore,
    readonly passwords: PasswordHasher = new PasswordHasher(),
    /** Keys the stand-ins for names tried that match no account (see `triedName`). */
    private readonly nameKey: Buffer = Buffer.alloc(32),
  ) {}

  byId(id: number): Account | null {
    const cached = this.byIdCache.get(id);
    if (cached) return cached;
    const record = this.store.accountById(id);
    return record ? this.remember(new Account(this.store, record, this.passwords)) : null;
  }

  byName(name: string): Account | null {
    const record = this.store.accountByName(name);
    if (!record) return null;
    return this.byIdCache.get(record.id) ?? this.remember(new Account(this.store, record, this.passwords));
  }

  /**
   * The account `name` if `password` is its password, else null. An unknown name costs a hash
   * all the same, so how long a refusal takes does not tell which names exist.
   */
  async authenticate(name: string, password: string): Promise<{ account: Account | null; ok: boolean }> {
    const account = this.byName(name);
    if (account) return { account, ok: await account.checkPassword(password) };
    if (!this.dummyHash) {
      // Made once, at today's cost; a refusal (the hash queue was full) is tried again next time.
      const made = (this.dummyHash = this.passwords.hash('not a password anyone has'));
      made.catch(() => this.dummyHash === made && (this.dummyHash = null));
    }
    await this.passwords.verify(password, await this.dummyHash);
    return { account: null, ok: false };
  }

  /**
   * A name someone tried to log in with, as the audit may keep it: an account's name as is, any
   * other as `?` and a short keyed hash. People type their password into the name field; such a
   * slip must not become readable in the trail, yet repeated tries of one name still group
   * together. (`?` is no name character, so a stand-in never looks like an account.)
   */
  triedName(name: string): string {
    const account = this.byName(name);
    if (account) return account.name;
    return `?${createHmac('sha256', this.nameKey).update(name.toLowerCase()).digest('hex').slice(0, 12)}`;
  }

  all(): Account[] {
    return this.store.allAccounts().map((record) => this.byId(record.id)!);
  }

  /** Creates a Player account after checking name and password; throws AccountError saying why not. */
  async create(name: string, password: string): Promise<Account> {
    const problem = validateAccountName(name) ?? validatePassword(password);
    if (problem) throw new AccountError(problem);
    if (this.store.accountByName(name)) throw new AccountError(`The name '${name}' is taken.`);
    const hash = await this.passwords.hash(password);
    // Checked again after the await: another connection may have taken the name meanwhile.
    if (this.store.accountByName(name)) throw new AccountError(`The name '${name}' is taken.`);
    return this.remember(new Account(this.store, this.store.insertAccount(name, hash, ['Player']), this.passwords));
  }

  /** Some account is a Developer (the token's work is done). */
  hasDeveloper(): boolean {
    return this.store.allAccounts().some((record) => record.permissions.includes('Developer'));
  }

  /**
   * The one-time token that makes an account the Developer (`claim <token>` in game), made on
   * first ask and kept in the database until claimed, so the server's console at start and
   * `npm run admin -- token` show the same one. Null once a Developer exists. Being first to
   * type `create` on a public port is no longer enough to own the server.
   */
  adminToken(): string | null {
    if (this.hasDeveloper()) {
      this.store.deleteState(ADMIN_TOKEN);
      return null;
    }
    let token = this.store.getState(ADMIN_TOKEN);
    if (!token) {
      token = randomBytes(18).toString('base64url');
      this.store.setState(ADMIN_TOKEN, token);
    }
    return token;
  }

  /** Makes `account` the Developer if `token` is the admin token, which is then used up. */
  claimAdmin(account: Account, token: string): boolean {
    const expected = this.store.getState(ADMIN_TOKEN);
    if (!expected || this.hasDeveloper()) return false;
    const [a, b] = [Buffer.from(token), Buffer.from(expected)];
    if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
    this.store.deleteState(ADMIN_TOKEN);
    account.setPermissions(['Developer']);
    return true;
  }

  private remember(account: Account): Account {
    this.byIdCache.set(account.id, account);
    return account;
  }
}
