import type { GameLogs, LoggerName } from '../../logging/index.ts';
import { escapeForLog } from '../../text.ts';
import type { AuditEvent } from '../events.ts';

export interface LogLine {
  logger: LoggerName;
  level: 'info' | 'warn';
  message: string;
}

/** Player-controlled text, escaped so that it stays inside its one log line. */
const q = (text: unknown): string => escapeForLog(String(text ?? ''));

function from(event: AuditEvent): string {
  const { remote_addr, protocol } = event.actor;
  return remote_addr ? ` from ${q(remote_addr)} via ${q(protocol)}` : '';
}

/** The one place that turns an audit event into a line of the text logs. */
export function describe(event: AuditEvent): LogLine | null {
  const who = q(event.actor.character ?? event.actor.account ?? '?');
  const p = event.payload;
  switch (event.event_type) {
    case 'command': {
      const args = p.args ? ` with args '${q(p.args)}'` : '';
      return { logger: 'mud.commands', level: 'info', message: `AUDIT CMD: ${who} executed '${q(p.command)}'${args}` };
    }
    case 'move_leave':
      return { logger: 'mud.objects', level: 'info', message: `AUDIT MOVE: ${who} leaving ${q(event.location)}` };
    case 'move_arrive':
      return { logger: 'mud.objects', level: 'info', message: `AUDIT MOVE: ${who} arrived at ${q(event.location)}` };
    case 'puppet':
      return {
        logger: 'mud.accounts',
        level: 'info',
        message: `AUDIT SESSION: ${who} puppeted by ${q(event.actor.account)}${from(event)}`,
      };
    case 'unpuppet':
      return {
        logger: 'mud.accounts',
        level: 'info',
        message: `AUDIT SESSION: ${who} unpuppeted - session ${q(p.session_seconds)}s`,
      };
    case 'character_created':
      return { logger: 'mud.server', level: 'info', message: `AUDIT: Character '${q(event.target?.name)}' created` };
    case 'account_created':
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT ACCOUNT: account '${q(event.target?.name)}' created${from(event)}` };
    case 'login_ok':
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT LOGIN: account '${q(event.target?.name)}' logged in${from(event)}` };
    case 'login_failed':
      return {
        logger: 'mud.accounts',
        level: 'warn',
        message: `AUDIT LOGIN FAILED: name '${q(p.name_tried)}'${from(event)} (${q(p.reason)})`,
      };
    case 'logout':
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT LOGOUT: account '${q(event.target?.name)}' logged out${from(event)} (${q(p.reason)})` };
    case 'password_changed':
      return { logger: 'mud.accounts', level: 'info', message: `AUDIT ACCOUNT: password of '${q(event.target?.name)}' changed by ${q(event.actor.account)}` };
    case 'typeclass_swapped':
      return {
        logger: 'mud.server',
        level: 'info',
        message: `AUDIT: ${q(event.target?.name)}(#${q(event.target?.id)}) typeclass ${q(p.from)} -> ${q(p.to)}${p.run_start_hooks ? '' : ' (noinit)'} by ${q(event.actor.account ?? 'shell')}`,
      };
    case 'connection_opened':
      return { logger: 'mud.portal', level: 'info', message: `connection #${q(event.actor.session_id)} opened${from(event)}` };
    case 'connection_closed':
      return { logger: 'mud.portal', level: 'info', message: `connection #${q(event.actor.session_id)} closed${from(event)} (${q(p.reason)})` };
    case 'login_locked':
      return {
        logger: 'mud.accounts',
        level: 'warn',
        message: `AUDIT LOGIN LOCKED: name '${q(p.name_tried)}'${from(event)} (${q(p.failures)} failures; refused for ${q(p.retry_after_seconds)}s)`,
      };
    case 'dual_address':
      return {
        logger: 'mud.accounts',
        level: 'warn',
        message: `AUDIT DUAL ADDRESS: ${q(p.count)} accounts logged in from ${q(event.actor.remote_addr)} at once: ${(p.accounts as string[]).map((a) => `'${q(a)}'`).join(', ')}${Number(p.count) > (p.accounts as string[]).length ? ', …' : ''}`,
      };
    case 'builder_command': {
      const args = p.args ? ` with args '${q(p.args)}'` : '';
      const target = event.target ? ` on ${q(event.target.name)}(#${q(event.target.id)})` : '';
      return { logger: 'mud.admin', level: 'info', message: `ADMIN CMD: ${who} (${q(p.permission)}) ran '${q(p.command)}'${args}${target} in ${q(event.location ?? '-')}` };
    }
    case 'object_created':
    case 'object_destroyed':
    case 'object_renamed': {
      const what = event.event_type.slice('object_'.length).toUpperCase();
      const rename = event.event_type === 'object_renamed' ? ` from '${q(p.old_name)}'` : '';
      return { logger: 'mud.admin', level: 'info', message: `OBJECT ${what}: ${q(event.target?.name)}(#${q(event.target?.id)})${rename} by ${who}` };
    }
    case 'say':
      return { logger: 'mud.chat', level: 'info', message: `<${who}> [${q(event.location ?? '-')}]: ${q(p.text)}` };
    case 'emote':
      return { logger: 'mud.chat', level: 'info', message: `<${who}> [${q(event.location ?? '-')}]: * ${q(p.text)}` };
    case 'whisper':
      return { logger: 'mud.chat', level: 'info', message: `<${who}> [${q(event.location ?? '-')}]: (whisper to ${q(event.target?.name)}) ${q(p.text)}` };
    case 'get':
    case 'drop':
    case 'give': {
      const to = event.event_type === 'give' ? ` to ${q(p.receiver)}` : '';
      const verb = { get: 'got', drop: 'dropped', give: 'gave' }[event.event_type];
      return { logger: 'mud.objects', level: 'info', message: `AUDIT ITEM: ${who} ${verb} ${q(event.target?.name)}(#${q(event.target?.id)})${to} in ${q(event.location ?? '-')}` };
    }
    case 'reload': {
      const asked = p.via === 'crash' ? `after a crash (${q(p.cause)})` : `by ${q(event.actor.account ?? 'the operator')} via ${q(p.via)}`;
      return { logger: 'mud.server', level: p.via === 'crash' ? 'warn' : 'info', message: `AUDIT RELOAD: game process reloaded ${asked} in ${q(p.duration_ms)} ms, ${q(p.sessions)} sessions kept` };
    }
  }
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
