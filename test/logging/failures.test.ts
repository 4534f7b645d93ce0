import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultLogConfig, openLogs, RotatingFileStream, type LogFileError, type RecoveryInfo } from '../../server/logging/index.ts';
import { cleanupTempDirs, tempDir } from '../support/temp_dir.ts';
import { sleep, until } from '../support/wait.ts';
import { msgOf, readLines, sizeRotatedFiles } from './helpers.ts';

afterAll(cleanupTempDirs);

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

describe('file and directory modes', () => {
  it('creates the dir 0700 and files 0600 by default (regardless of umask), rotated files stay 0600', async () => {
    const dir = path.join(tempDir(), 'a', 'logs');
    const cfg = defaultLogConfig(dir);
    cfg.auditMaxBytes = 200;
    const old = process.umask(0o000); // would otherwise give 0777/0666
    try {
      const logs = openLogs(cfg);
      for (let i = 0; i < 20; i++) logs.get('mud.commands').info(`line ${i}`);
      await logs.close();
    } finally {
      process.umask(old);
    }
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.dirname(dir))).toBe(0o700);
    for (const f of ['command_audit.log', 'command_audit.log.1', 'movement_audit.log', 'player_activity.log', 'server.log', 'portal.log']) {
      expect(modeOf(path.join(dir, f)), f).toBe(0o600);
    }
  });

  it('honours configured modes, fixing an existing file and an existing directory', async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'server.log'), '', { mode: 0o666 });
    fs.chmodSync(path.join(dir, 'server.log'), 0o666);
    const cfg = defaultLogConfig(dir);
    cfg.fileMode = 0o640;
    cfg.dirMode = 0o750;
    const old = process.umask(0o077); // would otherwise give 0600
    try {
      const logs = openLogs(cfg);
      logs.get('mud.portal').info('x');
      await logs.close();
    } finally {
      process.umask(old);
    }
    expect(modeOf(dir)).toBe(0o750); // existing directory tightened too (logs/ ships in the repo)
    expect(modeOf(path.join(dir, 'server.log'))).toBe(0o640);
    expect(modeOf(path.join(dir, 'portal.log'))).toBe(0o640);
  });
});

describe('failures never throw and logging resumes', () => {
  // Tests run as root, which ignores permission bits, so "unwritable" is
  // simulated by replacing the log directory with a regular file.
  it('directory replaced by a file: error reported, lines held, written after the dir is back', async () => {
    const dir = path.join(tempDir(), 'logs');
    const errors: LogFileError[] = [];
    const recovered: RecoveryInfo[] = [];
    const logs = openLogs(defaultLogConfig(dir), {
      retryMs: 20,
      maxRetryMs: 100,
      onError: (e) => {
        errors.push(e);
        throw new Error('a throwing error callback must not break logging');
      },
      onRecover: (r) => recovered.push(r),
    });
    const log = logs.get('mud.commands');
    log.info('before');
    await logs.flush();
    expect(readLines(path.join(dir, 'command_audit.log')).map(msgOf)).toEqual(['before']);

    fs.renameSync(dir, dir + '.moved');
    fs.writeFileSync(dir, 'not a directory');
    expect(() => {
      for (let i = 0; i < 50; i++) log.info(`during ${i}`);
    }).not.toThrow();
    await logs.flush();
    expect(await until(() => errors.length > 0)).toBe(true);
    expect(errors[0]!.file).toBe(path.join(dir, 'command_audit.log'));
    expect(errors[0]!.message).toMatch(/command_audit\.log: (open|write) failed: .*ENOTDIR/);

    // Still failing: keeps accepting (and holding) lines, retries keep failing.
    for (let i = 50; i < 100; i++) log.info(`during ${i}`);
    expect(await until(() => errors.length >= 3)).toBe(true);
    expect(recovered).toEqual([]);

    fs.rmSync(dir); // the directory can be created again: the retry does it
    expect(await until(() => recovered.length > 0)).toBe(true);
    expect(recovered[0]).toMatchObject({ recoveredLines: 100, droppedLines: 0 });
    log.info('after');
    await logs.close();

    expect(readLines(path.join(dir + '.moved', 'command_audit.log')).map(msgOf)).toEqual(['before']);
    expect(readLines(path.join(dir, 'command_audit.log')).map(msgOf)).toEqual([
      ...Array.from({ length: 100 }, (_, i) => `during ${i}`),
      'after',
    ]);
    expect(modeOf(dir)).toBe(0o700);
  });

  it.skipIf(!fs.existsSync('/dev/full'))('write errors (ENOSPC via a symlink to /dev/full): lines held, written once the file is fixed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'command_audit.log');
    const fullMode = fs.statSync('/dev/full').mode;
    fs.symlinkSync('/dev/full', file);
    const errors: LogFileError[] = [];
    const recovered: RecoveryInfo[] = [];
    const logs = openLogs(defaultLogConfig(dir), {
      retryMs: 20,
      maxRetryMs: 100,
      onError: (e) => errors.push(e),
      onRecover: (r) => recovered.push(r),
    });
    const log = logs.get('mud.commands');
    for (let i = 0; i < 30; i++) log.info(`full ${i}`);
    await logs.flush();
    expect(await until(() => errors.length > 0)).toBe(true);
    expect(errors[0]!.op).toBe('write');
    expect(errors[0]!.message).toMatch(/ENOSPC/);
    expect(fs.statSync('/dev/full').mode).toBe(fullMode); // never chmod a device
    for (let i = 30; i < 60; i++) log.info(`full ${i}`);
    fs.unlinkSync(file);
    expect(await until(() => recovered.length > 0)).toBe(true);
    await logs.close();
    expect(readLines(file).map(msgOf)).toEqual(Array.from({ length: 60 }, (_, i) => `full ${i}`));
    expect(fs.lstatSync(file).isFile()).toBe(true);
  });

  it('log directory deleted while open: the file is recreated (and the event reported)', async () => {
    const dir = path.join(tempDir(), 'logs');
    const errors: LogFileError[] = [];
    const logs = openLogs(defaultLogConfig(dir), { onError: (e) => errors.push(e) });
    logs.get('mud.accounts').info('one');
    await logs.flush();
    fs.rmSync(dir, { recursive: true });
    logs.get('mud.accounts').info('two');
    await logs.close();
    expect(readLines(path.join(dir, 'player_activity.log')).map(msgOf)).toEqual(['two']);
    expect(errors.map((e) => e.op)).toContain('reopen');
  });

  it('queue full during an outage: oldest lines dropped, counted, and noted in the log on recovery', async () => {
    const dir = path.join(tempDir(), 'logs');
    const errors: LogFileError[] = [];
    const recovered: RecoveryInfo[] = [];
    const logs = openLogs(defaultLogConfig(dir), {
      retryMs: 20,
      maxRetryMs: 50,
      maxPendingBytes: 1000,
      onError: (e) => errors.push(e),
      onRecover: (r) => recovered.push(r),
    });
    const log = logs.get('mud.commands');
    log.info('before');
    await logs.flush();
    fs.rmSync(dir, { recursive: true });
    fs.writeFileSync(dir, 'x');
    for (let i = 0; i < 100; i++) log.info(`during ${i}`); // ~60 bytes each
    await logs.flush();
    expect(await until(() => errors.some((e) => e.op === 'buffer'))).toBe(true);
    fs.rmSync(dir);
    expect(await until(() => recovered.length > 0)).toBe(true);
    await logs.close();
    const lines = readLines(path.join(dir, 'command_audit.log')).map(msgOf);
    const dropped = recovered[0]!.droppedLines;
    expect(dropped).toBeGreaterThan(50);
    expect(lines.slice(0, -1)).toEqual(Array.from({ length: 100 - dropped }, (_, k) => `during ${dropped + k}`));
    expect(lines.at(-1)).toBe(`LOGGING: ${dropped} line(s) were lost while ${path.join(dir, 'command_audit.log')} was unwritable`);
  });

  it('a failing rotation is reported; lines keep going to the live file; rotation resumes later', async () => {
    const dir = tempDir();
    const errors: LogFileError[] = [];
    const file = path.join(dir, 'r.log');
    fs.mkdirSync(file + '.1'); // name.1 is a directory: cannot be unlinked/overwritten
    fs.writeFileSync(path.join(file + '.1', 'blocker'), '');
    const s = new RotatingFileStream({
      file,
      rotation: { kind: 'size', maxBytes: 100, keep: 1 },
      retryMs: 20,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 20; i++) s.write(`line ${i} ${'.'.repeat(20)}\n`);
    await s.flush();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.op).toBe('rotate');
    expect(readLines(file)).toHaveLength(20); // over the limit, nothing lost

    fs.rmSync(file + '.1', { recursive: true });
    // One line at a time until the (rate-limited) rotation is retried.
    let i = 20;
    let rotatedAgain = false;
    for (let tries = 0; tries < 500 && !rotatedAgain; tries++) {
      s.write(`line ${i++} ${'.'.repeat(20)}\n`);
      await s.flush();
      rotatedAgain = fs.existsSync(file + '.1') && fs.statSync(file + '.1').isFile();
      if (!rotatedAgain) await sleep(10);
    }
    expect(rotatedAgain).toBe(true);
    await s.closeAndWait();
    const all = sizeRotatedFiles(dir, 'r.log').flatMap(readLines);
    // The oversized file (every line so far but the last) went to .1 whole.
    expect(readLines(file + '.1').map((l) => Number(l.split(' ')[1]))).toEqual(Array.from({ length: i - 1 }, (_, k) => k));
    expect(readLines(file)).toEqual([`line ${i - 1} ${'.'.repeat(20)}`]);
    expect(all).toHaveLength(i);
  });
});
