import type { GameLogs, LoggerName } from '../logging/index.ts';
import { escapeForLog } from '../text.ts';
import type { AuditSink } from './bus.ts';
import type { AuditEvent } from './events.ts';

interface LogLine {
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
  }
}

export function textLogSink(logs: GameLogs): AuditSink {
  return (event) => {
    const line = describe(event);
    if (line) logs.get(line.logger)[line.level](line.message);
  };
}
