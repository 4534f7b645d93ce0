/**
 * How much one address may hold and open: game connections at once, new ones per minute, ones at
 * the login screen, accounts created per hour, and TCP connections to the web port. Counting
 * only; what to tell the client and what to audit is session_limits.ts's. IPv6 is counted by /64
 * (net/address.ts), and exempt addresses are not counted at all.
 */
import type { LimitSettings } from '../config_limits.ts';
import { AddressSet, addressKey } from '../net/address.ts';
import { TokenBucket } from '../net/token_bucket.ts';

export type LimitKind = 'commands' | 'connections' | 'connects_per_minute' | 'login_screen' | 'accounts_per_hour' | 'web_sockets';

/** A limit that said no: which one, and its value. */
export interface Refusal {
  limit: LimitKind;
  max: number;
  /** The address's key (IPv6: its /64). */
  key: string;
}

/** What a counted connection is to the limits: whether it is past the login screen. */
export interface Counted {
  readonly isLoggedIn: boolean;
}

/** Buckets kept at most; a full bucket is forgotten first, then the oldest (which only forgives). */
const MAX_BUCKETS = 50_000;

export class AddressLimits {
  readonly exempt: AddressSet;
  private readonly open = new Map<string, Set<Counted>>();
  private readonly sockets = new Map<string, number>();
  private readonly connects = new Map<string, TokenBucket>();
  private readonly creations = new Map<string, TokenBucket>();

  constructor(
    readonly settings: Readonly<LimitSettings>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.exempt = new AddressSet(settings.rateExempt);
  }

  /** May a new game connection from `address` open? Null if so; it is then counted as one new connection. */
  admitConnection(address: string): Refusal | null {
    if (this.exempt.has(address)) return null;
    const key = addressKey(address);
    const { connections, loginScreen, connectsPerMinute } = this.settings;
    const open = this.open.get(key);
    if (connections && (open?.size ?? 0) >= connections) return { limit: 'connections', max: connections, key };
    if (loginScreen && open && countAtLogin(open) >= loginScreen) return { limit: 'login_screen', max: loginScreen, key };
    if (connectsPerMinute && !this.spend(this.connects, key, connectsPerMinute, 60)) {
      return { limit: 'connects_per_minute', max: connectsPerMinute, key };
    }
    return null;
  }

  /** An admitted connection from `address` is open until `untrack`. */
  track(address: string, connection: Counted): void {
    if (this.exempt.has(address)) return;
    const key = addressKey(address);
    let open = this.open.get(key);
    if (!open) this.open.set(key, (open = new Set()));
    open.add(connection);
  }

  untrack(address: string, connection: Counted): void {
    const key = addressKey(address);
    const open = this.open.get(key);
    if (!open?.delete(connection)) return;
    if (!open.size) this.open.delete(key);
  }

  /** May `address` create an account now? Null if so, and it is counted. */
  admitAccountCreation(address: string): Refusal | null {
    const { accountsPerHour } = this.settings;
    if (!accountsPerHour || this.exempt.has(address)) return null;
    const key = addressKey(address);
    return this.spend(this.creations, key, accountsPerHour, 3600) ? null : { limit: 'accounts_per_hour', max: accountsPerHour, key };
  }

  /**
   * A TCP connection to the web port from `address`: null if it may stay (then `socketClosed`
   * when it closes), else the refusal. Counted before any HTTP is parsed, so requests that never
   * finish arriving (a slowloris) fill this address's share, not the server's.
   */
  admitSocket(address: string): Refusal | null {
    const { webSockets } = this.settings;
    if (!webSockets || this.exempt.has(address)) return null;
    const key = addressKey(address);
    const open = this.sockets.get(key) ?? 0;
    if (open >= webSockets) return { limit: 'web_sockets', max: webSockets, key };
    this.sockets.set(key, open + 1);
    return null;
  }

  socketClosed(address: string): void {
    const key = addressKey(address);
    const open = this.sockets.get(key);
    if (open === undefined) return;
    if (open <= 1) this.sockets.delete(key);
    else this.sockets.set(key, open - 1);
  }

  /** `max` per `seconds`, as a bucket of `max` refilled evenly: a burst of max, then the rate. */
  private spend(buckets: Map<string, TokenBucket>, key: string, max: number, seconds: number): boolean {
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= MAX_BUCKETS) forgetOne(buckets);
      buckets.set(key, (bucket = new TokenBucket(max / seconds, max, this.now)));
    }
    return bucket.take();
  }
}

function countAtLogin(open: Set<Counted>): number {
  let n = 0;
  for (const c of open) if (!c.isLoggedIn) n++;
  return n;
}

/** Drops a full bucket (no loss: it is as good as new) if one of the oldest is, else the oldest. */
function forgetOne(buckets: Map<string, TokenBucket>): void {
  let checked = 0;
  for (const [key, bucket] of buckets) {
    if (bucket.full) return void buckets.delete(key);
    if (++checked >= 100) break;
  }
  buckets.delete(buckets.keys().next().value!);
}
