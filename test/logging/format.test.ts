import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLogConfig, formatLine, formatTimestamp, LOG_SPECS, LOGGER_NAMES, openLogs } from '../../server/logging/index.ts';
import { cleanupTempDirs, tempDir } from '../support/temp_dir.ts';
import { readLines } from './helpers.ts';

afterAll(cleanupTempDirs);

const fixed = () => new Date('2026-11-23T18:30:15.987Z');

describe('line format', () => {
  it('formats timestamp in UTC as YYYY-MM-DD HH:MM:SS', () => {
    expect(formatTimestamp(new Date('2026-01-02T03:04:05.999Z'))).toBe('2026-01-02 03:04:05');
    expect(formatLine('2026-11-23 18:30:15', 'mud.commands', 'warn', 'x')).toBe('2026-11-23 18:30:15 | mud.commands | WARN | x');
  });

  it('writes exact lines through the real loggers, one file per logger', async () => {
    const dir = tempDir();
    const logs = openLogs(defaultLogConfig(dir), { clock: fixed });
    logs.get('mud.commands').info("AUDIT CMD: wizard executed 'look'");
    logs.get('mud.commands').warn('careful');
    logs.get('mud.commands').error('boom');
    for (const name of LOGGER_NAMES) logs.get(name).info(`hello from ${name} ünïcödé ✓`);
    await logs.close();

    expect(readLines(path.join(dir, 'command_audit.log'))).toEqual([
      "2026-11-23 18:30:15 | mud.commands | INFO | AUDIT CMD: wizard executed 'look'",
      '2026-11-23 18:30:15 | mud.commands | WARN | careful',
      '2026-11-23 18:30:15 | mud.commands | ERROR | boom',
      '2026-11-23 18:30:15 | mud.commands | INFO | hello from mud.commands ünïcödé ✓',
    ]);
    for (const name of LOGGER_NAMES.filter((n) => n !== 'mud.commands')) {
      const line = LOG_SPECS[name].layout === 'irc' ? `2026-11-23 18:30:15 hello from ${name} ünïcödé ✓` : `2026-11-23 18:30:15 | ${name} | INFO | hello from ${name} ünïcödé ✓`;
      expect(readLines(path.join(dir, LOG_SPECS[name].file))).toEqual([line]);
    }
    expect(LOG_SPECS['mud.chat'].layout).toBe('irc');
    expect(fs.readFileSync(path.join(dir, 'server.log')).toString('utf8')).toContain('ünïcödé ✓'); // UTF-8 bytes
  });

  it('a message containing CR/LF stays one record on one line', async () => {
    const dir = tempDir();
    const logs = openLogs(defaultLogConfig(dir), { clock: fixed });
    logs.get('mud.server').info('first\nsecond\r\nthird\rfourth');
    logs.get('mud.server').info('next');
    await logs.close();
    expect(readLines(path.join(dir, 'server.log'))).toEqual([
      '2026-11-23 18:30:15 | mud.server | INFO | first\\nsecond\\r\\nthird\\rfourth',
      '2026-11-23 18:30:15 | mud.server | INFO | next',
    ]);
  });

  it('disabled logs are no-ops and their files are not created', async () => {
    const dir = tempDir();
    const cfg = defaultLogConfig(dir);
    cfg.enabled.movement = false;
    cfg.enabled.portal = false;
    const logs = openLogs(cfg, { clock: fixed });
    logs.get('mud.objects').info('nope');
    logs.get('mud.portal').error('nope');
    logs.get('mud.accounts').info('yes');
    await logs.close();
    expect(fs.existsSync(path.join(dir, 'movement_audit.log'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'portal.log'))).toBe(false);
    expect(readLines(path.join(dir, 'player_activity.log'))).toHaveLength(1);
  });

  it('several instances coexist; logging after close is a silent no-op; close is idempotent', async () => {
    const a = tempDir();
    const b = tempDir();
    const la = openLogs(defaultLogConfig(a), { clock: fixed });
    const lb = openLogs(defaultLogConfig(b), { clock: fixed });
    for (let i = 0; i < 100; i++) {
      la.get('mud.commands').info(`a${i}`);
      lb.get('mud.commands').info(`b${i}`);
    }
    await Promise.all([la.close(), lb.close(), la.close()]);
    expect(() => la.get('mud.commands').info('late')).not.toThrow();
    await la.close();
    const ra = readLines(path.join(a, 'command_audit.log'));
    const rb = readLines(path.join(b, 'command_audit.log'));
    expect(ra.map((l) => l.split(' | ')[3])).toEqual(Array.from({ length: 100 }, (_, i) => `a${i}`));
    expect(rb.map((l) => l.split(' | ')[3])).toEqual(Array.from({ length: 100 }, (_, i) => `b${i}`));
  });
});
