import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLogConfig, openLogs, RotatingFileStream } from '../../server/logging/index.ts';
import { cleanupTempDirs, tempDir } from '../support/temp_dir.ts';
import { msgOf, readLines, sizeRotatedFiles } from './helpers.ts';

afterAll(cleanupTempDirs);

describe('size rotation', () => {
  it('50,000 lines with a small max size (32 KB): every line exactly once, in order, never split', async () => {
    const dir = tempDir();
    const cfg = defaultLogConfig(dir);
    // 32 KB: ~115 rotations, ~11 inside one 5,000-line batch. (2 KB would mean
    // ~1,900 rotated files kept, and the name.1 -> name.2 … rename chain costs
    // O(files kept) per rotation: seconds on this disk. Tiny sizes with a small
    // keep are covered below.)
    cfg.auditMaxBytes = 32 * 1024;
    cfg.auditKeep = 1000;
    const logs = openLogs(cfg);
    const log = logs.get('mud.commands');
    const N = 50_000;
    for (let i = 0; i < N; i++) {
      log.info(`AUDIT CMD: player${i % 7} executed 'say ${i} ✓'`);
      if (i % 5000 === 4999) await logs.flush(); // mix big and small batches
    }
    await logs.close();

    const files = sizeRotatedFiles(dir, 'command_audit.log');
    expect(files.length).toBeGreaterThan(100);
    expect(fs.existsSync(path.join(dir, 'command_audit.log'))).toBe(true);
    const all: string[] = [];
    for (const f of files) {
      const buf = fs.readFileSync(f);
      expect(buf.length).toBeLessThanOrEqual(cfg.auditMaxBytes);
      expect(buf.length === 0 || buf[buf.length - 1] === 0x0a).toBe(true); // no split line at a file end
      const lines = readLines(f);
      const re = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| mud\.commands \| INFO \| AUDIT CMD: player\d executed 'say \d+ ✓'$/;
      const bad = lines.find((l) => !re.test(l));
      expect(bad).toBeUndefined();
      all.push(...lines);
    }
    expect(all.length).toBe(N);
    const firstWrong = all.findIndex((l, i) => !l.endsWith(`'say ${i} ✓'`));
    expect(firstWrong).toBe(-1);
  });

  it('keeps at most `keep` rotated files; what is kept is the newest contiguous tail', async () => {
    const dir = tempDir();
    const cfg = defaultLogConfig(dir);
    cfg.auditMaxBytes = 2048;
    cfg.auditKeep = 3;
    const logs = openLogs(cfg);
    for (let i = 0; i < 2000; i++) logs.get('mud.accounts').info(`login ${i}`);
    await logs.close();
    const names = fs.readdirSync(dir).filter((n) => n.startsWith('player_activity.log')).sort();
    expect(names).toEqual(['player_activity.log', 'player_activity.log.1', 'player_activity.log.2', 'player_activity.log.3']);
    const kept = sizeRotatedFiles(dir, 'player_activity.log').flatMap(readLines).map(msgOf);
    expect(kept.length).toBeGreaterThan(50);
    const first = Number(kept[0]!.split(' ')[1]);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => `login ${first + k}`));
    expect(kept.at(-1)).toBe('login 1999');
  });

  it('a single record larger than maxBytes goes whole into its own file', async () => {
    const dir = tempDir();
    const s = new RotatingFileStream({ file: path.join(dir, 'x.log'), rotation: { kind: 'size', maxBytes: 100, keep: 10 } });
    s.write('a'.repeat(50) + '\n');
    s.write('B'.repeat(300) + '\n');
    s.write('c'.repeat(50) + '\n');
    await s.closeAndWait();
    expect(sizeRotatedFiles(dir, 'x.log').map((f) => fs.readFileSync(f, 'utf8'))).toEqual([
      'a'.repeat(50) + '\n',
      'B'.repeat(300) + '\n',
      'c'.repeat(50) + '\n',
    ]);
  });

  it('continues an existing live file and existing rotated set after a restart', async () => {
    const dir = tempDir();
    const cfg = defaultLogConfig(dir);
    cfg.auditMaxBytes = 1024;
    cfg.auditKeep = 100;
    for (let run = 0; run < 3; run++) {
      const logs = openLogs(cfg);
      for (let i = 0; i < 100; i++) logs.get('mud.objects').info(`run ${run} move ${i}`);
      await logs.close();
    }
    const all = sizeRotatedFiles(dir, 'movement_audit.log').flatMap(readLines).map(msgOf);
    const want: string[] = [];
    for (let run = 0; run < 3; run++) for (let i = 0; i < 100; i++) want.push(`run ${run} move ${i}`);
    expect(all).toEqual(want);
  });
});

describe('daily rotation (injected clock)', () => {
  it('renames to name.YYYY-MM-DD at UTC midnight and prunes beyond dailyKeep', async () => {
    const dir = tempDir();
    const cfg = defaultLogConfig(dir);
    cfg.dailyKeep = 2;
    let now = new Date('2030-01-01T23:59:58Z');
    const logs = openLogs(cfg, { clock: () => now });
    const log = logs.get('mud.server');
    const days = ['2030-01-01', '2030-01-02', '2030-01-03', '2030-01-04'];
    for (let d = 0; d < days.length; d++) {
      now = new Date(`${days[d]}T23:59:58Z`);
      log.info(`day ${d} a`);
      now = new Date(`${days[d]}T23:59:59Z`);
      log.info(`day ${d} b`);
      now = new Date(Date.parse(`${days[d]}T00:00:00Z`) + 86_400_000); // midnight: next day
      if (d < days.length - 1) continue;
      log.info('after last midnight');
    }
    await logs.close();

    const names = fs.readdirSync(dir).filter((n) => n.startsWith('server.log')).sort();
    expect(names).toEqual(['server.log', 'server.log.2030-01-03', 'server.log.2030-01-04']);
    expect(readLines(path.join(dir, 'server.log.2030-01-03'))).toEqual([
      '2030-01-03 23:59:58 | mud.server | INFO | day 2 a',
      '2030-01-03 23:59:59 | mud.server | INFO | day 2 b',
    ]);
    expect(readLines(path.join(dir, 'server.log.2030-01-04')).map(msgOf)).toEqual(['day 3 a', 'day 3 b']);
    expect(readLines(path.join(dir, 'server.log'))).toEqual(['2030-01-05 00:00:00 | mud.server | INFO | after last midnight']);
  });

  it('rotates by the date printed in each line even within one batch, and portal.log too', async () => {
    const dir = tempDir();
    let now = new Date('2030-06-30T23:59:59Z');
    const logs = openLogs(defaultLogConfig(dir), { clock: () => now });
    for (let i = 0; i < 500; i++) {
      if (i === 250) now = new Date('2030-07-01T00:00:00Z');
      logs.get('mud.portal').info(`p${i}`);
    }
    await logs.close();
    const old = readLines(path.join(dir, 'portal.log.2030-06-30'));
    const cur = readLines(path.join(dir, 'portal.log'));
    expect(old.map(msgOf)).toEqual(Array.from({ length: 250 }, (_, i) => `p${i}`));
    expect(cur.map(msgOf)).toEqual(Array.from({ length: 250 }, (_, i) => `p${i + 250}`));
    expect(old.every((l) => l.startsWith('2030-06-30 '))).toBe(true);
    expect(cur.every((l) => l.startsWith('2030-07-01 '))).toBe(true);
  });

  it('an existing server.log from an earlier day is rotated (by its mtime) on the first line', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'server.log');
    fs.writeFileSync(f, 'old line\n');
    fs.utimesSync(f, new Date('2030-03-01T12:00:00Z'), new Date('2030-03-01T12:00:00Z'));
    const logs = openLogs(defaultLogConfig(dir), { clock: () => new Date('2030-03-02T08:00:00Z') });
    logs.get('mud.server').info('new day');
    await logs.close();
    expect(readLines(path.join(dir, 'server.log.2030-03-01'))).toEqual(['old line']);
    expect(readLines(f).map(msgOf)).toEqual(['new day']);
  });
});

describe('flush / close', () => {
  it("winston's 'finish' does not mean our file is written: the Stream transport never ends its stream", async () => {
    const dir = tempDir();
    const stream = new RotatingFileStream({ file: path.join(dir, 'w.log'), rotation: { kind: 'size', maxBytes: 1e9, keep: 1 } });
    const logger = winston.createLogger({
      format: winston.format.printf((i) => String(i.message)),
      transports: [new winston.transports.Stream({ stream, eol: '\n' })],
    });
    for (let i = 0; i < 20_000; i++) logger.info(`w${i}`);
    await new Promise((r) => {
      logger.once('finish', r);
      logger.end();
    });
    // This is why GameLogs.close() ends and awaits the rotating streams itself.
    expect(stream.writableEnded).toBe(false);
    await stream.closeAndWait();
    expect(readLines(path.join(dir, 'w.log'))).toHaveLength(20_000);
  });

  it('every line logged before close() is on disk when it resolves; flush() too', async () => {
    const dir = tempDir();
    const logs = openLogs(defaultLogConfig(dir));
    const N = 30_000;
    for (let i = 0; i < N; i++) logs.get('mud.commands').info(`c${i}`);
    await logs.flush();
    expect(readLines(path.join(dir, 'command_audit.log'))).toHaveLength(N);
    for (let i = 0; i < N; i++) {
      logs.get('mud.commands').info(`d${i}`);
      logs.get('mud.server').warn(`s${i}`);
    }
    await logs.close();
    const cmd = readLines(path.join(dir, 'command_audit.log')).map(msgOf);
    expect(cmd).toHaveLength(2 * N);
    expect(cmd[N]).toBe('d0');
    expect(cmd.at(-1)).toBe(`d${N - 1}`);
    expect(readLines(path.join(dir, 'server.log'))).toHaveLength(N);
  });
});
