/**
 * The console's Reports view: players' open reports, each with the audit events kept with it as
 * evidence (so they outlive the trail's retention). Read only: staff close reports in game
 * (`@reports/close <id> = <note>`), where that is audited as their admin action.
 */
import type { AuditEvent } from '../audit/events.ts';
import { rowToEvent } from '../audit/rows.ts';
import type { Staff } from '../staff/staff.ts';
import type { AuditEventRow } from '../store/audit_table.ts';

export interface ReportView {
  id: number;
  reporter: string;
  named: string | null;
  text: string;
  created_at: string;
  /** The reporter's and the named player's last events when the report was filed, oldest first per player. */
  evidence: Array<AuditEvent & { seq: number | null }>;
  /** Set when the stored evidence could not be read (it is then shown as empty). */
  evidence_error?: string;
}

export function openReports(staff: Pick<Staff, 'openReports'>): ReportView[] {
  return staff.openReports().map((report) => {
    const view: ReportView = { id: report.id, reporter: report.reporter, named: report.named, text: report.text, created_at: report.createdAt, evidence: [] };
    try {
      view.evidence = (JSON.parse(report.evidence) as AuditEventRow[]).map(rowToEvent);
    } catch {
      view.evidence_error = 'The evidence kept with this report could not be read.';
    }
    return view;
  });
}
