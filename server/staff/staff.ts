/**
 * What the staff tools decide and remember: bans (names, addresses, CIDR ranges), mutes, the
 * lock-down, reports. The tables live in the game database (migration 6); this keeps the live
 * copy the hot paths read (a connection opening, a say) and puts it back when a unit of work
 * that changed it is rolled back.
 */
import net from 'node:net';
import type { Account } from '../../typeclasses/account.ts';
import type { AuditBus } from '../audit/bus.ts';
import { auditEvent, type AuditActor } from '../audit/events.ts';
import { normaliseAddress } from '../net/address.ts';
import type { BanRecord, MuteRecord, ObjectStore, ReportRecord, StaffStore } from '../store/index.ts';
import { until } from './duration.ts';

/** Refusals of one address are audited at most this often (with the count in between). */
export const REFUSAL_LOG_EVERY_MS = 60_000;
/** Addresses whose refusals are being counted at most; past it the oldest are forgotten. */
const MAX_REFUSAL_KEYS = 10_000;
const LOCKDOWN = 'staff.lockdown';

export interface Lockdown {
  reason: string;
  by: string;
  since: string;
}

/** `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8` or `2001:db8::/32`: the address form, normalised; null if it is a name. */
export function addressPattern(text: string): string | null {
  const [address = '', prefix, extra] = text.trim().toLowerCase().split('/');
  const normal = normaliseAddress(address);
  const family = net.isIPv4(normal) ? 32 : net.isIPv6(normal) ? 128 : 0;
  if (!family || extra !== undefined) return null;
  if (prefix === undefined) return normal;
  if (!/^\d+$/.test(prefix) || Number(prefix) > family) return null;
  return `${normal}/${Number(prefix)}`;
}

/** Does `address` fall under an address ban's list? */
function matches(list: net.BlockList, address: string): boolean {
  const normal = normaliseAddress(address);
  const family = net.isIPv4(normal) ? 'ipv4' : net.isIPv6(normal) ? 'ipv6' : null;
  return family !== null && list.check(normal, family);
}

function blockListOf(pattern: string): net.BlockList {
  const list = new net.BlockList();
  const [address, prefix] = pattern.split('/') as [string, string | undefined];
  const family = net.isIPv4(address) ? 'ipv4' : 'ipv6';
  if (prefix === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(prefix), family);
  return list;
}

/** Does the address ban `pattern` (from addressPattern) cover `address`? */
export function coversAddress(pattern: string, address: string): boolean {
  return matches(blockListOf(pattern), address);
}

export class Staff {
  private bans: Array<BanRecord & { list: net.BlockList | null }> = [];
  private mutes = new Map<number, MuteRecord>();
  private lockdownState: Lockdown | null = null;
  private readonly refusals = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly store: StaffStore,
    private readonly state: Pick<ObjectStore, 'getState' | 'setState' | 'onRollback'>,
    private readonly audit: Pick<AuditBus, 'emit'>,
    private readonly now: () => number = Date.now,
  ) {
    this.load();
  }

  /** Reads the tables again (at start, and when a unit of work that changed them rolled back). */
  load(): void {
    this.bans = this.store.allBans().map((ban) => ({ ...ban, list: ban.kind === 'address' ? blockListOf(ban.pattern) : null }));
    this.mutes = new Map(this.store.allMutes().map((mute) => [mute.accountId, mute]));
    const lockdown = this.state.getState(LOCKDOWN);
    this.lockdownState = lockdown ? (JSON.parse(lockdown) as Lockdown | null) : null;
  }

  private changed(): void {
    this.state.onRollback(() => this.load());
  }

  private active<T extends { expiresAt: string | null }>(record: T | undefined): T | null {
    if (!record) return null;
    return record.expiresAt === null || Date.parse(record.expiresAt) > this.now() ? record : null;
  }

  // --- bans ---------------------------------------------------------------------------------

  /** Bans a name or an address (an existing ban on the same one is replaced). */
  ban(kind: 'name' | 'address', pattern: string, reason: string, by: string, expiresAt: string | null): BanRecord {
    const saved = this.store.saveBan({ kind, pattern, reason, bannedBy: by, createdAt: new Date(this.now()).toISOString(), expiresAt });
    this.bans = [...this.bans.filter((b) => b.id !== saved.id), { ...saved, list: kind === 'address' ? blockListOf(pattern) : null }];
    this.changed();
    return saved;
  }

  /** Lifts the ban on exactly this name or address (or with this id, `#3`); null if there is none. */
  unban(text: string): BanRecord | null {
    const id = /^#?(\d+)$/.exec(text.trim())?.[1];
    const pattern = addressPattern(text) ?? text.trim().toLowerCase();
    const ban = this.bans.find((b) => (id !== undefined && b.id === Number(id)) || b.pattern === pattern);
    if (!ban) return null;
    this.store.deleteBan(ban.id);
    this.bans = this.bans.filter((b) => b !== ban);
    this.changed();
    return ban;
  }

  /** The bans in force, oldest first. */
  activeBans(): BanRecord[] {
    return this.bans.filter((b) => this.active(b)).map(({ list: _list, ...ban }) => ban);
  }

  /** The ban in force on this address (an address or a CIDR range it falls in), if any. */
  addressBan(address: string): BanRecord | null {
    for (const ban of this.bans) if (ban.list && this.active(ban) && matches(ban.list, address)) return ban;
    return null;
  }

  nameBan(name: string): BanRecord | null {
    const lower = name.trim().toLowerCase();
    return this.active(this.bans.find((b) => b.kind === 'name' && b.pattern === lower)) ?? null;
  }

  /**
   * Null if a connection from `address` may open; else the line to tell it. The refusals of one
   * address are audited once a minute, with how many there were, never once per attempt.
   */
  refuseConnection(address: string, protocol: string): string | null {
    const ban = this.addressBan(address);
    if (!ban) return null;
    const actor: AuditActor = { account: null, character: null, session_id: null, protocol, remote_addr: normaliseAddress(address) };
    this.noteRefusal(actor, ban);
    return banLine('Your address is', ban);
  }

  /** A login (or a `create`) under a banned name: audited like a refused connection. */
  noteRefusal(actor: AuditActor, ban: BanRecord, name?: string): void {
    const key = `${ban.kind}:${actor.remote_addr ?? '?'}`;
    const now = this.now();
    const seen = this.refusals.get(key);
    if (seen && now - seen.at < REFUSAL_LOG_EVERY_MS) {
      seen.since++;
      return;
    }
    this.refusals.delete(key);
    this.refusals.set(key, { at: now, since: 0 });
    if (this.refusals.size > MAX_REFUSAL_KEYS) this.refusals.delete(this.refusals.keys().next().value!);
    const payload: Record<string, unknown> = { kind: ban.kind, ban_id: ban.id, pattern: ban.pattern, refused_before: seen?.since ?? 0 };
    if (name !== undefined) payload.name_tried = name;
    this.audit.emit(auditEvent('connection_banned', actor, { success: false, payload }));
  }

  // --- mutes --------------------------------------------------------------------------------

  mute(account: Account, reason: string, by: string, expiresAt: string | null): MuteRecord {
    const mute = { accountId: account.id, reason, mutedBy: by, createdAt: new Date(this.now()).toISOString(), expiresAt };
    this.store.saveMute(mute);
    this.mutes.set(account.id, mute);
    this.changed();
    return mute;
  }

  unmute(account: Account): MuteRecord | null {
    const mute = this.mutes.get(account.id);
    if (!mute) return null;
    this.store.deleteMute(account.id);
    this.mutes.delete(account.id);
    this.changed();
    return this.active(mute);
  }

  /** The mute in force on this account, if any. */
  muted(account: Account): MuteRecord | null {
    return this.active(this.mutes.get(account.id));
  }

  /**
   * What a muted account is told when it tries to talk (say, pose, whisper, any channel); null
   * when it is not muted. The one check every way of talking goes through.
   */
  mutedLine(account: Account): string | null {
    const mute = this.muted(account);
    return mute && `You are muted ${until(mute.expiresAt)}${mute.reason ? ` (reason: ${mute.reason})` : ''}; nobody hears you.`;
  }

  // --- lock-down ----------------------------------------------------------------------------

  get lockdown(): Lockdown | null {
    return this.lockdownState;
  }

  setLockdown(lockdown: Lockdown | null): void {
    this.state.setState(LOCKDOWN, JSON.stringify(lockdown));
    this.lockdownState = lockdown;
    this.changed();
  }

  // --- reports ------------------------------------------------------------------------------

  fileReport(report: Parameters<StaffStore['insertReport']>[0]): ReportRecord {
    return this.store.insertReport(report);
  }

  openReports(): ReportRecord[] {
    return this.store.openReports();
  }

  report(id: number): ReportRecord | null {
    return this.store.report(id);
  }

  closeReport(id: number, by: string, note: string): boolean {
    return this.store.closeReport(id, by, note, new Date(this.now()).toISOString());
  }
}

/** Who is staff: Builders and above (exempt from the idle limit and the lock-down). */
export function isStaff(account: Account | null): boolean {
  return account?.hasPermission('Builder') ?? false;
}

/** `Your address is banned until … (reason: spam).` */
export function banLine(subject: string, ban: BanRecord): string {
  return `${subject} banned from this game ${until(ban.expiresAt)}${ban.reason ? ` (reason: ${ban.reason})` : ''}.`;
}
