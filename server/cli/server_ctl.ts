/**
 * `npm run reload | stop | status`: talks to the running server on the configured data dir
 * through its control socket (server/portal/control.ts). Without one, the pid file names the
 * process, and a signal does what it can (SIGUSR2 reloads, SIGTERM stops).
 */
import type { AuditLag } from '../link/protocol.ts';
import { askServer } from '../portal/control.ts';
import { runningServerPid } from '../pid_file.ts';
import { die, loadConfigOrDie } from './shell.ts';

/** `systemctl status` says 3 for "not running"; scripts can tell it from a failure. */
const EXIT_NOT_RUNNING = 3;

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${seconds % 60}s` : `${seconds}s`;
}

const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;

/**
 * `audit: 3 events waiting, the oldest 0.4 s old (jsonl 0, 0.0 s; table 3, 0.4 s; text 0, 0.0 s)`:
 * the headline is the furthest-behind sink, the brackets each sink (when there are several).
 */
function auditLine(audit: AuditLag | { unknown: string } | undefined): string {
  if (!audit) return 'audit: unknown (this portal does not report it)';
  if ('unknown' in audit) return `audit: unknown (${audit.unknown})`;
  if (audit.starting) return 'audit: unknown (the audit worker is starting)';
  if (!audit.sinks.length) return 'audit: off (no sinks)';
  const waiting = Math.max(...audit.sinks.map((s) => s.events));
  const oldest = Math.max(...audit.sinks.map((s) => s.seconds));
  const perSink = audit.sinks.length > 1 ? ` (${audit.sinks.map((s) => `${s.name} ${s.events}, ${s.seconds.toFixed(1)} s`).join('; ')})` : ` (${audit.sinks[0]!.name})`;
  const failing = audit.sinks.filter((s) => s.failing).map((s) => s.name);
  let line = `audit: ${events(waiting)} waiting, the oldest ${oldest.toFixed(1)} s old${perSink}`;
  if (failing.length) line += `, failing: ${failing.join(', ')}`;
  if (audit.refusing) line += ', commands refused (backlog full)';
  return line;
}

async function main(): Promise<void> {
  const what = process.argv[2];
  const config = loadConfigOrDie();
  const pid = runningServerPid(config.dataDir);
  let answer: Record<string, unknown> | null = null;
  try {
    answer = await askServer(config.dataDir, { cmd: what as 'status' });
  } catch (error) {
    if (pid === null) {
      if (what === 'status') {
        process.stdout.write(`down: no server is running on ${config.dataDir}\n`);
        process.exit(EXIT_NOT_RUNNING);
      }
      die(`no server is running on ${config.dataDir}.`, EXIT_NOT_RUNNING);
    }
    // A server without a control socket (the single-process server/main.ts): signals only.
    if (what === 'reload') die(`the server (pid ${pid}) has no control socket (${(error as Error).message}); it is the single-process server, which cannot reload.`);
    if (what === 'stop') process.kill(pid, 'SIGTERM');
    if (what === 'status') {
      process.stdout.write(`up: pid ${pid} (single-process server; no details)\n`);
      return;
    }
  }
  switch (what) {
    case 'status': {
      const a = answer as {
        pid: number;
        uptime_seconds: number;
        players: number;
        connections: unknown[];
        game: { state: string; pid: number | null; reloads: number; crashRestarts: number; last_reload_ms: number | null };
        audit?: AuditLag | { unknown: string };
      };
      process.stdout.write(
        [
          `up: pid ${a.pid}, uptime ${duration(a.uptime_seconds)}`,
          `game: ${a.game.state}${a.game.pid ? ` (pid ${a.game.pid})` : ''}, ${a.game.reloads} reload(s), ${a.game.crashRestarts} crash restart(s)${a.game.last_reload_ms !== null ? `, last reload took ${a.game.last_reload_ms} ms` : ''}`,
          `players: ${a.players} logged in, ${a.connections.length} connection(s)`,
          auditLine(a.audit),
          '',
        ].join('\n'),
      );
      return;
    }
    case 'reload': {
      if (answer?.ok) {
        process.stdout.write(`Reloaded in ${answer.ms} ms (commands waited ${answer.pausedMs} ms).\n`);
        return;
      }
      die(`reload failed: ${String(answer?.error ?? 'no answer')}`);
    }
    case 'stop': {
      const deadline = Date.now() + 60_000;
      while (runningServerPid(config.dataDir) !== null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (runningServerPid(config.dataDir) !== null) die(`the server (pid ${pid}) is still running after 60 s.`);
      process.stdout.write('Stopped.\n');
      return;
    }
    default:
      die('usage: server_ctl.ts reload | stop | status', 2);
  }
}

void main();
