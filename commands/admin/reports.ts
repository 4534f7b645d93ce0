import type { AuditEventRow } from '../../server/store/audit_table.ts';
import { isStaff } from '../../server/staff/staff.ts';
import { pad } from '../../server/text.ts';
import { ADMIN } from '../builder/syntax.ts';
import type { CharacterCommand, CharacterContext } from '../command.ts';
import { auditStaffAction, findAccount, patternTarget, targetOf, usageLine } from './staff_action.ts';

/** Audit events kept with a report, for the reporter and for the player named. */
export const EVIDENCE_EVENTS = 50;

export const report: CharacterCommand = {
  key: 'report',
  category: 'General',
  help: [
    'report [<player> =] <text> — tell the staff about a problem; name the player it is about.',
    'Your and their last 50 audited actions are kept with the report as evidence.',
  ].join('\n'),
  async run(ctx) {
    const at = ctx.args.indexOf('=');
    let text = (at < 0 ? ctx.args : ctx.args.slice(at + 1)).trim();
    let named = at < 0 ? null : findAccount(ctx, ctx.args.slice(0, at));
    if (at >= 0 && !named) return ctx.reply(`No player is called '${ctx.args.slice(0, at).trim()}'; report <player> = <text>, or report <text>.`);
    if (at < 0) {
      // `report Boss keeps spamming`: a first word that is a player's name names them.
      const first = /^(\S+)\s+\S/.exec(text)?.[1];
      named = first ? findAccount(ctx, first) : null;
    }
    if (!text) return ctx.reply(usageLine(report.help));
    if (named?.id === ctx.account.id) named = null;
    const reporter = ctx.account;
    const evidence = await collectEvidence(ctx, [reporter.name, ...(named ? [named.name] : [])]);
    if (ctx.session.closed) return;
    text = text.slice(0, 2000);
    ctx.unitOfWork(() => {
      const filed = ctx.staff.fileReport({
        reporter: reporter.name, reporterId: reporter.id, named: named?.name ?? null, text,
        evidence: JSON.stringify(evidence), createdAt: new Date().toISOString(),
      });
      ctx.audit('report_filed', { target: named ? targetOf(named) : null, payload: { report_id: filed.id, text, evidence_events: evidence.length } });
      const about = named ? ` about ${named.name}` : '';
      for (const session of ctx.sessions.loggedIn()) {
        if (isStaff(session.account) && session !== ctx.session) session.msg(`[Report #${filed.id}] ${ctx.caller.key}${about}: ${text}`);
      }
      ctx.reply(`Thank you: report #${filed.id} is filed${about}, and the staff have been told.`);
    });
  },
};

/** The last EVIDENCE_EVENTS audit events of each account, oldest first per account. */
async function collectEvidence(ctx: CharacterContext, accounts: string[]): Promise<AuditEventRow[]> {
  if (!ctx.auditReader.enabled) return [];
  const rows: AuditEventRow[] = [];
  for (const account of accounts) {
    const found = await ctx.auditReader.search({ account, limit: EVIDENCE_EVENTS });
    rows.push(...[...found].reverse());
  }
  return rows;
}

export const reports: CharacterCommand = {
  key: '@reports',
  lock: ADMIN,
  category: 'Admin',
  switches: ['close'],
  help: [
    '@reports [<id>] — list open reports, or show one with its evidence.',
    '@reports/close <id> = <note> — close a report with a note.',
  ].join('\n'),
  run(ctx) {
    const { args, switches, staff, reply } = ctx;
    if (switches.includes('close')) {
      const at = args.indexOf('=');
      const id = Number(/^#?(\d+)$/.exec((at < 0 ? args : args.slice(0, at)).trim())?.[1]);
      const note = at < 0 ? '' : args.slice(at + 1).trim();
      if (!id || !note) return reply('Usage: @reports/close <id> = <note>');
      if (!staff.closeReport(id, ctx.account.name, note)) return reply(`No open report #${id}.`);
      auditStaffAction(ctx, 'report_close', patternTarget('report', `#${id}`), note, { report_id: id });
      return reply(`Report #${id} closed.`);
    }
    if (args) {
      const id = Number(/^#?(\d+)$/.exec(args)?.[1]);
      const found = id ? staff.report(id) : null;
      if (!found) return reply(`No report #${args}.`);
      const evidence = JSON.parse(found.evidence) as AuditEventRow[];
      const state = found.closedAt ? `closed by ${found.closedBy} at ${found.closedAt.slice(0, 19).replace('T', ' ')}: ${found.note}` : 'open';
      return reply([
        `Report #${found.id} by ${found.reporter}${found.named ? ` about ${found.named}` : ''} at ${found.createdAt.slice(0, 19).replace('T', ' ')} UTC (${state})`,
        `  ${found.text}`,
        `Evidence: ${evidence.length} audit event(s)`,
        ...evidence.map((e) => `  ${e.ts.slice(0, 19).replace('T', ' ')} ${pad(e.account ?? '-', 12)} ${pad(e.event_type, 16)} ${e.target_name ?? ''} ${e.payload}`),
      ].join('\n'));
    }
    const open = staff.openReports();
    if (!open.length) return reply('No open reports.');
    reply([
      `${pad('#', 5)} ${pad('Filed (UTC)', 17)} ${pad('By', 14)} ${pad('About', 14)} Text`,
      ...open.map((r) => `${pad(String(r.id), 5)} ${pad(r.createdAt.slice(0, 16).replace('T', ' '), 17)} ${pad(r.reporter, 14)} ${pad(r.named ?? '-', 14)} ${r.text}`),
      `${open.length} open report(s); @reports <id> shows one with its evidence.`,
    ].join('\n'));
  },
};
