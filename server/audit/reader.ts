/**
 * The one read path of the audit table, for `@audit/search`, `@audit/history` and the console:
 * a page of rows newest first, and how far the table is behind the newest event. The table is
 * filled by the audit worker, so a read first gives it a moment to take what was just
 * committed; when it lags further (a sink in trouble), the page says by how much.
 */
import { AuditTable, type AuditEventRow, type AuditQuery } from '../store/audit_table.ts';

export interface AuditLag {
  events: number;
  seconds: number;
}

export interface AuditPage {
  /** At most `pageSize` rows, newest first. */
  rows: AuditEventRow[];
  page: number;
  pageSize: number;
  /** Is there a next page? */
  more: boolean;
  /** How far the table was behind the newest committed event when it was read. */
  lag: AuditLag;
}

/** The pages a search may reach: beyond it, OFFSET arithmetic stops being exact in SQLite. */
export const MAX_PAGE = 1_000_000;

export interface AuditReaderSource {
  /** Waits (at most `ms`) for the table to hold what has been committed. */
  catchUp(ms: number): Promise<void>;
  lag(): AuditLag;
}

/** Where the rows come from: the local table (the default) or PostgreSQL (MUD_AUDIT_READ=pg). */
export interface AuditRowSource {
  search(query: AuditQuery): AuditEventRow[] | Promise<AuditEventRow[]>;
  close(): void | Promise<void>;
}

/** The local table, read-only and opened on first use (the worker creates the file). */
export function tableRows(file: string): AuditRowSource {
  let table: AuditTable | null = null;
  return {
    search(query) {
      if (!table && AuditTable.exists(file)) table = new AuditTable(file, 'read');
      return table?.search(query) ?? [];
    },
    close() {
      table?.close();
      table = null;
    },
  };
}

export class AuditReader {
  constructor(
    private readonly rows: AuditRowSource,
    /** False with MUD_AUDIT_TABLE=off (and no PostgreSQL to read): there is nothing to read. */
    readonly enabled: boolean,
    private readonly source: AuditReaderSource,
  ) {}

  async page(query: Omit<AuditQuery, 'limit' | 'offset'>, page: number, pageSize: number): Promise<AuditPage> {
    await this.source.catchUp(1000);
    const lag = this.source.lag();
    const at = Math.min(Math.max(1, Math.floor(page)), MAX_PAGE);
    const rows = await this.rows.search({ ...query, limit: pageSize + 1, offset: (at - 1) * pageSize });
    return { rows: rows.slice(0, pageSize), page: at, pageSize, more: rows.length > pageSize, lag };
  }

  /** Every row matching `query` (tests and tools; `limit` bounds it). */
  async search(query: AuditQuery): Promise<AuditEventRow[]> {
    await this.source.catchUp(5000);
    return this.rows.search(query);
  }

  async close(): Promise<void> {
    await this.rows.close();
  }
}

/** The line a view adds when the table is behind, or '' when it is not. */
export function lagNote(lag: AuditLag): string {
  if (lag.events <= 0) return '';
  return `(The audit table is ${lag.events} event(s), ${lag.seconds.toFixed(1)} s, behind the newest event: a sink is catching up.)`;
}
