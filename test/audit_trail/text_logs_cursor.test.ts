/**
 * The text logs' exactly-once after a crash, at the very first batch: lines written before the
 * first cursor is saved must be recognised at the next start, not written again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../server/audit/events.ts';
import { TEXT_CURSOR_FILE, TextLogsSink } from '../../server/audit/sinks/text_logs.ts';
import type { OutboxEvent } from '../../server/audit/sinks/sink.ts';
import { defaultLogConfig, openLogs } from '../../server/logging/index.ts';
import { cleanupTempDirs, tempDir } from '../support/temp_dir.ts';

const report = { info() {}, warn() {}, error() {} };

function says(from: number, to: number): OutboxEvent[] {
  const out: OutboxEvent[] = [];
  for (let seq = from; seq <= to; seq++) {
    const actor = { account: 'anna', character: 'Anna', session_id: 1, protocol: 'telnet', remote_addr: '127.0.0.1' };
    const ts = new Date(Date.UTC(2026, 10, 20, 10, 0, seq)).toISOString();
    const command: AuditEvent = { ts, event_type: 'command', actor, target: null, location: 'Limbo', payload: { command: 'say', args: `hello ${seq}` }, success: true };
    const say: AuditEvent = { ts, event_type: 'say', actor, target: null, location: 'Limbo', payload: { text: `hello ${seq}` }, success: true };
    out.push({ seq: 2 * seq - 1, event: command }, { seq: 2 * seq, event: say });
  }
  return out;
}

describe('the text logs sink', () => {
  afterEach(() => cleanupTempDirs());

  it('recognises the lines of a first batch whose cursor a crash kept from being saved', async () => {
    const dir = tempDir('mud-text-cursor-');
    const start = () => {
      const config = { ...defaultLogConfig(dir), console: false };
      const logs = openLogs(config);
      return { logs, sink: new TextLogsSink({ logs, dir, fileMode: 0o600, enabled: config.enabled, report }) };
    };
    const cursorFile = path.join(dir, TEXT_CURSOR_FILE);
    const first = start();
    expect(await first.sink.open()).toBe(0);
    // What is on disk before the first batch: the crash below comes before its cursor is saved.
    const beforeBatch = fs.existsSync(cursorFile) ? fs.readFileSync(cursorFile) : null;
    await first.sink.write(says(1, 5));
    await first.logs.close();
    if (beforeBatch) fs.writeFileSync(cursorFile, beforeBatch);
    else fs.rmSync(cursorFile, { force: true });

    // The next start gets the events after that cursor again, as the worker hands them over.
    const second = start();
    expect(await second.sink.open()).toBe(0);
    await second.sink.write(says(1, 7));
    await second.logs.close();
    const lines = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean);
    expect(lines('command_audit.log').map((l) => l.replace(/^.* \| /, ''))).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => `AUDIT CMD: Anna executed 'say' with args 'hello ${n}'`),
    );
    expect(lines('chat.log').map((l) => l.replace(/^\S+ \S+ /, ''))).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `<Anna> [Limbo]: hello ${n}`));
  });
});
