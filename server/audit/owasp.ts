/**
 * The OWASP Logging Vocabulary name of an audit event, where one applies
 * (https://cheatsheetseries.owasp.org/cheatsheets/Logging_Vocabulary_Cheat_Sheet.html), written
 * as `owasp` on the JSONL record so SIEM rules written for that vocabulary match unchanged. It is
 * computed on the audit worker from the event, so the game thread's cost per event is the same.
 * The mapping is listed in docs/audit-events.md ("OWASP names").
 */
import type { AuditEvent } from './events.ts';

const BY_TYPE: Readonly<Record<string, string>> = {
  login_ok: 'authn_login_success',
  login_failed: 'authn_login_fail',
  login_locked: 'authn_login_lock',
  password_changed: 'authn_password_change',
  account_created: 'user_created',
  logout: 'session_expired',
  builder_command: 'authz_admin',
  // A command refused for want of a permission (ctx.deny): an authorisation failure.
  access_denied: 'authz_fail',
  // @perm: an account given or taken a permission level, i.e. access to other commands.
  permissions_changed: 'authz_change',
  rate_limited: 'excess_rate_limit_exceeded',
  protocol_error: 'input_validation_fail',
  server_started: 'sys_startup',
  server_stopped: 'sys_shutdown',
  // A new game process took over (server/portal/): the vocabulary's restart, not a stop and start.
  reload: 'sys_restart',
  audit_disabled: 'sys_monitor_disabled',
  // The vocabulary's name for data deleted; audit records are the data a SIEM cares most about.
  audit_pruned: 'sensitive_delete',
};

export function owaspName(event: Pick<AuditEvent, 'event_type' | 'payload'>): string | null {
  // The right password on an account that may not use the console: authenticated, not authorised.
  if (event.event_type === 'login_failed' && event.payload?.reason === 'not an admin') return 'authz_fail';
  return BY_TYPE[event.event_type] ?? null;
}
