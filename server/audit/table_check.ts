/**
 * audit-verify's look at the queryable table (data/audit.sqlite3) beside the trail: the table is
 * what operators search, so a row changed there, or one the trail never had, must not go
 * unseen. Each JSONL record is compared with the table's row of its seq (the facts both hold:
 * ts, type, actor, target, location, payload, success); rows without a seq (a shell tool's
 * events while the server held the trail, or the trail off) are reported, not failed.
 */
import { canonicalJson } from './canonical.ts';
import type { AuditEvent } from './events.ts';
import type { Leaf } from './merkle/leaves.ts';
import { rowToEvent } from './rows.ts';
import { AuditTable } from '../store/audit_table.ts';

const facts = (e: AuditEvent) =>
  canonicalJson({ ts: e.ts, event_type: e.event_type, actor: e.actor, target: e.target, location: e.location, payload: e.payload, success: e.success });

export interface TableCheck {
  /** Each record of the trail, in order. */
  onLeaf(leaf: Leaf): void;
  /** The findings: `differing` breaks verification, the rest are notes. */
  finish(): { differing: string[]; notes: string[] };
}

export function tableCheck(file: string): TableCheck | null {
  if (!AuditTable.exists(file)) return null;
  const table = new AuditTable(file, 'read');
  const differing: string[] = [];
  let differ = 0;
  let matched = 0;
  let absent = 0;
  let first: number | null = null;
  let last: number | null = null;
  return {
    onLeaf(leaf) {
      first ??= leaf.seq;
      last = leaf.seq;
      const rows = table.rowsOfSeq(leaf.seq);
      if (!rows.length) {
        absent++;
        return;
      }
      matched++;
      let record: AuditEvent;
      try {
        record = JSON.parse(leaf.line.toString('utf8')) as AuditEvent;
      } catch {
        return;
      }
      const want = facts(record);
      for (const row of rows) {
        if (facts(rowToEvent(row)) === want && rows.length === 1) continue;
        differ++;
        if (differing.length < 5) {
          differing.push(rows.length > 1 ? `seq ${leaf.seq} has ${rows.length} rows in the table (ids ${rows.map((r) => r.id).join(', ')})` : `row id ${row.id} (seq ${leaf.seq}) differs from the JSONL record at ${leaf.file}:${leaf.lineNo}`);
        }
        break;
      }
    },
    finish() {
      const notes: string[] = [];
      try {
        const without = table.rowsWithoutSeq();
        if (without.count) notes.push(`the audit table has ${without.count} row(s) without a seq, not in the trail (ids ${without.ids.join(', ')}${without.count > without.ids.length ? ', …' : ''}): events written while the trail was held by another process or off`);
        if (first !== null && last !== null) {
          const extra = table.countSeqBetween(first, last) - matched;
          if (extra > 0) notes.push(`${extra} row(s) of the audit table have a seq between ${first} and ${last} that the trail does not have (events the trail dropped, MUD_AUDIT_ON_FULL=drop, or rows added by hand)`);
        }
        if (absent) notes.push(`${absent} record(s) of the trail have no row in the audit table (pruned from the table, or written while it was off)`);
        if (differ > differing.length) differing.push(`… ${differ - differing.length} more`);
        return { differing, notes };
      } finally {
        table.close();
      }
    },
  };
}
