import type { GameLogs, LoggerName } from '../../logging/index.ts';
import { escapeForLog } from '../../text.ts';
import type { AuditEvent, AuditTarget } from '../events.ts';

export interface LogLine {
  logger: LoggerName;
  level: 'info' | 'warn';
  message: string;
}

/** Player-controlled text, escaped so that it stays inside its one log line. */
const q = (text: unknown): string => escapeForLog(String(text ?? ''));

/**
 * Player text inside '…': a quote in it is written \' (a backslash in it is already \\), so the
 * closing quote of a line is always the game's and a reader (or a filter) can find where the
 * player's text ends.
 */
const quoted = (text: unknown): string => `'${q(text).replace(/'/g, "\\'")}'`;

/**
 * A name followed by its id. Names are anyone's to choose (`@name me = victim`); the id is not.
 * `(#` in a name is written `(\#`, so `(#<digits>)` in a line is only ever a real id.
 */
const named = (name: unknown, id: string): string => `${q(name).replace(/\(#/g, '(\\#')}(${id})`;

/**
 * An object, room or character as `lantern(#24)`; an account as `Webby(account:3)`, never to be
 * read as object #3. A target with no id (a banned name or address, a login lock-out, a report)
 * is text the staff typed, so it is quoted: `@ban x reason 'y' = z` cannot pass for a reason.
 */
function ref(target: AuditTarget | null | undefined): string {
  if (!target) return '-';
  if (target.id === null || target.id === undefined) return quoted(target.name);
  return named(target.name, target.kind === 'account' ? `account:${target.id}` : `#${target.id}`);
}

/** Who did it: the character with its id (`payload.character_id`), else the account, else the game. */
function who(event: AuditEvent): string {
  const { character, account } = event.actor;
  const id = event.payload.character_id;
  if (character !== null && character !== undefined) return Number.isInteger(id) ? named(character, `#${id}`) : q(character);
  return q(account ?? '?');
}

/** A command as typed, with its switches: '@typeclass/noinit', '@audit/search'. */
function commandName(p: Record<string, unknown>): string {
  const switches = Array.isArray(p.switches) ? p.switches : [];
  return quoted([p.command, ...switches].join('/'));
}

const withArgs = (p: Record<string, unknown>): string => (p.args ? ` with args ${quoted(p.args)}` : '');

/**
 * `from <address> via <protocol>`. In the login lines it comes straight after the fixed words,
 * before anything the player typed, so that a filter anchored on those words (fail2ban's, see
 * docs/fail2ban/) can only ever read the real address.
 */
function from(event: AuditEvent): string {
  const { remote_addr, protocol } = event.actor;
  return remote_addr ? ` from ${q(remote_addr)} via ${q(protocol)}` : '';
}

const json = (value: unknown): string => (value === undefined ? '(not set)' : q(JSON.stringify(value)));

/** The one place that turns an audit event into a line of the text logs. */
export function describe(event: AuditEvent): LogLine | null {
  const actor = who(event);
  const p = event.payload;
  const room = q(event.location ?? '-');
  switch (event.event_type) {
    case 'command':
      return { logger: 'mud.commands', level: 'info', message: `AUDIT CMD: ${actor} executed ${commandName(p)}${withArgs(p)}` };
    case 'move_leave':
      return { logger: 'mud.objects', level: 'info', message: `AUDIT MOVE: ${actor} leaving ${q(event.location)}` };
    case 'move_arrive':
      return { logger: 'mud.objects', level: 'info', message: `AUDIT MOVE: ${actor} arrived at ${q(event.location)}` };
    case 'puppet':
      return {
        logger: 'mud.accounts',
        level: 'info',
        message: `AUDIT SESSION: ${actor} puppeted by ${q(event.actor.account)}${from(event)}`,
      };
    case 'unpuppet':
      return {
        logger: 'mud.accounts',
        level: 'info',
        message: `AUDIT SESSION: ${actor} unpuppeted - session ${q(p.session_seconds)}s`,
      };
    case 'character_created':
      return { logger: 'mud.server', level: 'info', message: `AUDIT: Character ${ref(event.target)} created` };
    case 'account_created':
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT ACCOUNT: ${ref(event.target)} created${from(event)}` };
    case 'login_ok':
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT LOGIN: ${ref(event.target)} logged in${from(event)}` };
    case 'login_failed':
      // Address and reason first, the name tried (anything at all) last: see from().
      return {
        logger: 'mud.accounts',
        level: 'warn',
        message: `AUDIT LOGIN FAILED:${from(event)} (${q(p.reason)}) name ${quoted(p.name_tried)}`,
      };
    case 'logout':
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT LOGOUT: ${ref(event.target)} logged out${from(event)} (${q(p.reason)})` };
    case 'password_changed':
      if (!event.success) {
        return { logger: 'mud.accounts', level: 'warn', message: `AUDIT ACCOUNT: password of ${ref(event.target)} not changed by ${q(event.actor.account ?? 'shell')} (${q(p.refused)})` };
      }
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT ACCOUNT: password of ${ref(event.target)} changed by ${q(event.actor.account ?? 'shell')}${p.sessions_ended ? `; ${q(p.sessions_ended)} other session(s) ended` : ''}` };
    case 'permissions_changed':
      return {
        logger: 'mud.accounts',
        level: event.success ? 'info' : 'warn',
        message: `AUDIT ACCOUNT: permissions of ${ref(event.target)} ${event.success ? 'changed' : 'not changed'} ${q(p.from)} -> ${q(p.to)} via ${q(p.via)}${p.refused ? ` (${q(p.refused)})` : ''} by ${q(event.actor.account ?? 'shell')}`,
      };
    case 'typeclass_swapped':
      // An admin action (it can switch a character's auditing off): admin_actions.log, before and after.
      return {
        logger: 'mud.admin',
        level: 'info',
        message: `TYPECLASS: ${ref(event.target)} ${q(p.from)} -> ${q(p.to)}${p.run_start_hooks ? '' : ' (noinit)'} by ${event.actor.account === null ? 'shell' : actor}`,
      };
    case 'audit_attribute_changed':
      return {
        logger: 'mud.admin',
        level: 'info',
        message: `AUDIT ATTRIBUTE: ${ref(event.target)} ${quoted(p.attribute)} ${json(p.before)} -> ${json(p.after)} by ${actor}`,
      };
    case 'access_denied':
      return {
        logger: 'mud.admin',
        level: 'warn',
        message: `ACCESS DENIED: ${actor} (${q(p.level)}) tried ${commandName(p)}${withArgs(p)} (needs ${q(p.needs)}) in ${room}`,
      };
    case 'connection_opened':
      return { logger: 'mud.portal', level: 'info', message: `connection #${q(event.actor.session_id)} opened${from(event)}` };
    case 'connection_closed':
      return { logger: 'mud.portal', level: 'info', message: `connection #${q(event.actor.session_id)} closed${from(event)} (${q(p.reason)})` };
    case 'login_locked':
      return {
        logger: 'mud.accounts',
        level: 'warn',
        message: `AUDIT LOGIN LOCKED:${from(event)} (${q(p.failures)} failures; refused for ${q(p.retry_after_seconds)}s) name ${quoted(p.name_tried)}`,
      };
    case 'dual_address':
      return {
        logger: 'mud.accounts',
        level: 'warn',
        message: `AUDIT DUAL ADDRESS: ${q(p.count)} accounts logged in from ${q(event.actor.remote_addr)} at once: ${(p.accounts as string[]).map(quoted).join(', ')}${Number(p.count) > (p.accounts as string[]).length ? ', …' : ''}`,
      };
    case 'builder_command': {
      const target = event.target ? ` on ${ref(event.target)}` : '';
      // The actor's own level (`level`); events from before it was recorded have only the lock's.
      return { logger: 'mud.admin', level: 'info', message: `ADMIN CMD: ${actor} (${q(p.level ?? p.permission)}) ran ${commandName(p)}${withArgs(p)}${target} in ${room}` };
    }
    case 'object_created':
    case 'object_destroyed':
    case 'object_renamed': {
      const what = event.event_type.slice('object_'.length).toUpperCase();
      const rename = event.event_type === 'object_renamed' ? ` from ${quoted(p.old_name)}` : '';
      return { logger: 'mud.admin', level: 'info', message: `OBJECT ${what}: ${ref(event.target)}${rename} by ${actor}` };
    }
    case 'say':
      return { logger: 'mud.chat', level: 'info', message: `<${actor}> [${room}]: ${q(p.text)}` };
    case 'emote':
      return { logger: 'mud.chat', level: 'info', message: `<${actor}> [${room}]: * ${q(p.text)}` };
    case 'whisper':
      return { logger: 'mud.chat', level: 'info', message: `<${actor}> [${room}]: (whisper to ${ref(event.target)}) ${q(p.text)}` };
    case 'channel':
      return { logger: 'mud.chat', level: 'info', message: `[${q(p.channel)}] <${actor}>: ${q(p.text)}` };
    case 'get':
    case 'drop':
    case 'give': {
      const to = event.event_type === 'give' ? ` to ${Number.isInteger(p.receiver_id) ? named(p.receiver, `#${p.receiver_id}`) : q(p.receiver)}` : '';
      const verb = { get: 'got', drop: 'dropped', give: 'gave' }[event.event_type];
      return { logger: 'mud.objects', level: 'info', message: `AUDIT ITEM: ${actor} ${verb} ${ref(event.target)}${to} in ${room}` };
    }
    case 'rate_limited':
      return { logger: 'mud.portal', level: 'warn', message: `AUDIT RATE LIMITED: ${rateLimitedText(event)}` };
    case 'admin_action': {
      // STAFF BAN: Root(#1) (Developer) on '10.0.0.0/8' for 3600s reason 'spam'
      const target = event.target ? ` on ${ref(event.target)}` : '';
      const details = [
        p.duration_seconds !== undefined && p.duration_seconds !== null ? ` for ${q(p.duration_seconds)}s` : '',
        p.from !== undefined ? ` from ${q(p.from)} to ${q(p.to)}` : '',
        p.message !== undefined ? ` message ${quoted(p.message)}` : '',
      ].join('');
      const action = q(String(p.action ?? '?').toUpperCase());
      return { logger: 'mud.admin', level: 'info', message: `STAFF ${action}: ${actor} (${q(p.level)})${target}${details} reason ${quoted(p.reason ?? '')}` };
    }
    case 'connection_banned': {
      // Address first, as in the login lines (fail2ban): see from().
      const name = p.name_tried !== undefined ? ` name ${quoted(p.name_tried)}` : '';
      return {
        logger: p.kind === 'name' ? 'mud.accounts' : 'mud.portal',
        level: 'warn',
        message: `AUDIT BANNED:${from(event)} (${q(p.kind)} ban #${q(p.ban_id)} on ${quoted(p.pattern)}; ${q(p.refused_before)} more refused in the minute before)${name}`,
      };
    }
    case 'protocol_error': {
      // AUDIT PROTOCOL ERROR: connection #7 from 1.2.3.4 via ws (line_too_long) excerpt 'look (5000 bytes)' (12 more since the last report)
      const head = `AUDIT PROTOCOL ERROR: connection #${q(event.actor.session_id)}${from(event)} (${q(p.kind)})`;
      const excerpt = p.excerpt_withheld ? 'excerpt withheld (typed at a password prompt)' : `excerpt ${quoted(p.excerpt)}`;
      const message = p.closing ? `${head} ${q(p.suppressed)} more held back until the connection closed` : `${head} ${excerpt} (${q(p.suppressed)} more since the last report)`;
      return { logger: 'mud.portal', level: 'warn', message };
    }
    case 'report_filed': {
      const about = event.target ? ` about ${ref(event.target)}` : '';
      return { logger: 'mud.admin', level: 'info', message: `REPORT #${q(p.report_id)}: ${actor}${about}: ${quoted(p.text)}` };
    }
    case 'server_started': {
      const c = (p.config ?? {}) as { ports?: Record<string, unknown> };
      const ports = Object.entries(c.ports ?? {}).map(([name, port]) => `${q(name)} ${q(port)}`).join(', ');
      return { logger: 'mud.server', level: 'info', message: `AUDIT STARTUP: version ${q(p.version)} on Node ${q(p.node)}, pid ${q(p.pid)} (${q(p.process)})${ports ? `, ports ${ports}` : ''}` };
    }
    case 'server_stopped':
      return { logger: 'mud.server', level: 'info', message: `AUDIT SHUTDOWN: pid ${q(p.pid)} after ${q(p.uptime_seconds)}s, ${q(p.sessions)} session(s) closed, reason ${quoted(p.reason)}` };
    case 'audit_disabled':
      // Auditing switched off is the one event a SIEM must not miss: WARN, on the log still written.
      if (p.scope === 'character') {
        return { logger: 'mud.admin', level: 'warn', message: `AUDIT DISABLED: ${ref(event.target)} is no longer audited (${q(p.from)} -> ${q(p.to)}) by ${actor}` };
      }
      return { logger: 'mud.server', level: 'warn', message: `AUDIT DISABLED: ${(Array.isArray(p.settings) ? p.settings : []).map(q).join(', ')}: ${(Array.isArray(p.off) ? p.off : []).map(q).join(', ')} off` };
    case 'audit_pruned': {
      const seqs = p.from_seq !== null && p.from_seq !== undefined ? ` (seq ${q(p.from_seq)} to ${q(p.to_seq)})` : '';
      const cp = p.checkpoint as { file?: unknown; size?: unknown } | null;
      const by = p.os_user !== undefined ? ` by ${q(p.os_user)} via ${q(p.via)}` : ` (${q(p.via)})`;
      return {
        logger: 'mud.server',
        level: 'info',
        message: `AUDIT PRUNED: events before ${q(p.cutoff)}${by}: ${q(p.rows)} table row(s), ${Array.isArray(p.files) ? p.files.length : 0} file(s)${seqs}${cp ? `; checkpoint ${q(cp.file)} (tree size ${q(cp.size)}) signed before` : ''}`,
      };
    }
    case 'reload': {
      const asked = p.via === 'crash' ? `after a crash (${q(p.cause)})` : `by ${q(event.actor.account ?? 'the operator')} via ${q(p.via)}`;
      if (event.success === false) {
        return { logger: 'mud.server', level: 'warn', message: `AUDIT RELOAD FAILED: game process reload asked ${asked} failed after ${q(p.duration_ms)} ms, the game goes on as it was: ${quoted(p.error)}` };
      }
      return { logger: 'mud.server', level: p.via === 'crash' ? 'warn' : 'info', message: `AUDIT RELOAD: game process reloaded ${asked} in ${q(p.duration_ms)} ms, ${q(p.sessions)} sessions kept` };
    }
  }
}

/** What each limit refuses, and the limit in words (server/config_limits.ts). */
const LIMITS: Record<string, { what: string; limit: (max: string, burst: string) => string }> = {
  commands: { what: 'lines dropped', limit: (max, burst) => `the command rate (${max} a second, burst ${burst})` },
  connections: { what: 'connections refused', limit: (max) => `${max} connections open per address` },
  connects_per_minute: { what: 'connections refused', limit: (max) => `${max} new connections a minute per address` },
  login_screen: { what: 'connections refused', limit: (max) => `${max} connections at the login screen per address` },
  accounts_per_hour: { what: 'account creations refused', limit: (max) => `${max} accounts created an hour per address` },
  web_sockets: { what: 'web port connections refused', limit: (max) => `${max} web port connections open per address` },
};

/** `connection #12 (Anna) from 1.2.3.4 via telnet: 340 lines dropped in 4.9s over the command rate (…)` */
function rateLimitedText(event: AuditEvent): string {
  const p = event.payload;
  const { session_id, character, account } = event.actor;
  const name = character ?? account;
  const who = session_id !== null ? `connection #${q(session_id)}${name ? ` (${q(name)})` : ''}` : 'new connections';
  const limit = LIMITS[String(p.limit)] ?? { what: 'refused', limit: () => q(p.limit) };
  return `${who}${from(event)}: ${q(p.refused)} ${limit.what} in ${q(p.seconds)}s over ${limit.limit(q(p.max), q(p.burst))}`;
}

/**
 * With auditing off (no outbox) the server and portal logs still get their event lines
 * (connections, new characters), straight from the bus and without the exactly-once cursor.
 */
export function plainTextLogSink(logs: GameLogs, enabled: { server: boolean; portal: boolean }): (event: AuditEvent) => void {
  return (event) => {
    const line = describe(event);
    if (!line) return;
    if ((line.logger === 'mud.server' && enabled.server) || (line.logger === 'mud.portal' && enabled.portal)) {
      logs.get(line.logger)[line.level](line.message, Date.parse(event.ts));
    }
  };
}
