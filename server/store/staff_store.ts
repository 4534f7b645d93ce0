import type Database from 'better-sqlite3';

/** A ban on a name (lower-cased) or an address / CIDR range (migration 6). */
export interface BanRecord {
  id: number;
  kind: 'name' | 'address';
  pattern: string;
  reason: string;
  bannedBy: string;
  createdAt: string;
  /** ISO timestamp; null: never. */
  expiresAt: string | null;
}

export interface MuteRecord {
  accountId: number;
  reason: string;
  mutedBy: string;
  createdAt: string;
  expiresAt: string | null;
}

export interface ReportRecord {
  id: number;
  reporter: string;
  reporterId: number | null;
  named: string | null;
  text: string;
  /** The audit events kept with the report (JSON array of rows). */
  evidence: string;
  createdAt: string;
  closedAt: string | null;
  closedBy: string | null;
  note: string | null;
}

interface BanRow {
  id: number;
  kind: 'name' | 'address';
  pattern: string;
  reason: string;
  banned_by: string;
  created_at: string;
  expires_at: string | null;
}
interface MuteRow {
  account_id: number;
  reason: string;
  muted_by: string;
  created_at: string;
  expires_at: string | null;
}
interface ReportRow {
  id: number;
  reporter: string;
  reporter_id: number | null;
  named: string | null;
  text: string;
  evidence: string;
  created_at: string;
  closed_at: string | null;
  closed_by: string | null;
  note: string | null;
}

const toBan = (r: BanRow): BanRecord => ({
  id: r.id, kind: r.kind, pattern: r.pattern, reason: r.reason, bannedBy: r.banned_by, createdAt: r.created_at, expiresAt: r.expires_at,
});
const toMute = (r: MuteRow): MuteRecord => ({
  accountId: r.account_id, reason: r.reason, mutedBy: r.muted_by, createdAt: r.created_at, expiresAt: r.expires_at,
});
const toReport = (r: ReportRow): ReportRecord => ({
  id: r.id, reporter: r.reporter, reporterId: r.reporter_id, named: r.named, text: r.text, evidence: r.evidence,
  createdAt: r.created_at, closedAt: r.closed_at, closedBy: r.closed_by, note: r.note,
});

/**
 * The staff tools' tables in the game database: bans, mutes, reports. Same connection as the
 * ObjectStore, so a write joins the running unit of work and commits with the turn.
 */
export class StaffStore {
  private readonly stmt;

  constructor(db: Database.Database) {
    this.stmt = {
      allBans: db.prepare<[], BanRow>('SELECT * FROM bans ORDER BY id'),
      upsertBan: db.prepare<[string, string, string, string, string, string | null], BanRow>(
        `INSERT INTO bans (kind, pattern, reason, banned_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(kind, pattern) DO UPDATE SET reason = excluded.reason, banned_by = excluded.banned_by,
           created_at = excluded.created_at, expires_at = excluded.expires_at
         RETURNING *`,
      ),
      deleteBan: db.prepare('DELETE FROM bans WHERE id = ?'),
      allMutes: db.prepare<[], MuteRow>('SELECT * FROM mutes'),
      upsertMute: db.prepare(
        `INSERT INTO mutes (account_id, reason, muted_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account_id) DO UPDATE SET reason = excluded.reason, muted_by = excluded.muted_by,
           created_at = excluded.created_at, expires_at = excluded.expires_at`,
      ),
      deleteMute: db.prepare('DELETE FROM mutes WHERE account_id = ?'),
      insertReport: db.prepare<[string, number | null, string | null, string, string, string], ReportRow>(
        'INSERT INTO reports (reporter, reporter_id, named, text, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      ),
      openReports: db.prepare<[], ReportRow>('SELECT * FROM reports WHERE closed_at IS NULL ORDER BY id'),
      reportById: db.prepare<[number], ReportRow>('SELECT * FROM reports WHERE id = ?'),
      closeReport: db.prepare('UPDATE reports SET closed_at = ?, closed_by = ?, note = ? WHERE id = ? AND closed_at IS NULL'),
    };
  }

  allBans(): BanRecord[] {
    return this.stmt.allBans.all().map(toBan);
  }

  /** Adds a ban, or replaces the one on the same name or address. */
  saveBan(ban: Omit<BanRecord, 'id'>): BanRecord {
    return toBan(this.stmt.upsertBan.get(ban.kind, ban.pattern, ban.reason, ban.bannedBy, ban.createdAt, ban.expiresAt)!);
  }

  deleteBan(id: number): void {
    this.stmt.deleteBan.run(id);
  }

  allMutes(): MuteRecord[] {
    return this.stmt.allMutes.all().map(toMute);
  }

  saveMute(mute: MuteRecord): void {
    this.stmt.upsertMute.run(mute.accountId, mute.reason, mute.mutedBy, mute.createdAt, mute.expiresAt);
  }

  deleteMute(accountId: number): void {
    this.stmt.deleteMute.run(accountId);
  }

  insertReport(report: Pick<ReportRecord, 'reporter' | 'reporterId' | 'named' | 'text' | 'evidence' | 'createdAt'>): ReportRecord {
    const { reporter, reporterId, named, text, evidence, createdAt } = report;
    return toReport(this.stmt.insertReport.get(reporter, reporterId, named, text, evidence, createdAt)!);
  }

  openReports(): ReportRecord[] {
    return this.stmt.openReports.all().map(toReport);
  }

  report(id: number): ReportRecord | null {
    const row = this.stmt.reportById.get(id);
    return row ? toReport(row) : null;
  }

  /** False if there is no open report with that id. */
  closeReport(id: number, closedBy: string, note: string, at: string): boolean {
    return this.stmt.closeReport.run(at, closedBy, note, id).changes > 0;
  }
}
