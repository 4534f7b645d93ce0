/**
 * An operator's `tail -F logs/command_audit.log` must keep following across
 * rotations and see every line.
 *
 * GNU tail -F (inotify) reads the rest of the old file through its open fd when
 * it is renamed aside, then reopens the plain name and reads the new file from
 * its start. Because we only rename after every byte of the old file has been
 * written, nothing is lost — as long as a new file is not created *and*
 * rotated away again before tail reacts (a rotation storm: thousands of
 * rotations per second, which real sizes never produce). So the writer here is
 * paced like a busy server rather than a benchmark: ~70 rotations in ~1-2 s.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

import { afterAll, describe, expect, it } from 'vitest';
import { defaultLogConfig, openLogs } from '../../server/logging/index.ts';
import { cleanupTempDirs, tempDir } from '../support/temp_dir.ts';
import { sleep, until } from '../support/wait.ts';
import { msgOf } from './helpers.ts';

afterAll(cleanupTempDirs);

const gnuTail = (() => {
  const r = spawnSync('tail', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /GNU coreutils/.test(r.stdout);
})();

describe.skipIf(!gnuTail)('tail -F follows the plain name across rotations', () => {
  it('sees every line, in order', async () => {
    const dir = tempDir();
    const cfg = defaultLogConfig(dir);
    cfg.auditMaxBytes = 2048;
    cfg.auditKeep = 10_000;
    const logs = openLogs(cfg);
    const log = logs.get('mud.commands');
    await logs.flush(); // live file exists before tail starts
    const live = logs.fileOf('mud.commands');

    let out = '';
    let tail: ChildProcess | undefined;
    try {
      tail = spawn('tail', ['-n', '+1', '-F', live], { stdio: ['ignore', 'pipe', 'ignore'] });
      tail.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      const seen = () => out.split('\n').filter(Boolean).map(msgOf);

      log.info('ready');
      await logs.flush();
      expect(await until(() => seen().includes('ready'))).toBe(true);

      const N = 2000;
      for (let i = 0; i < N; i++) {
        log.info(`AUDIT CMD: wizard executed 'say ${i}'`);
        if (i % 10 === 9) {
          await logs.flush();
          await sleep(5);
        }
      }
      await logs.flush();
      const rotated = fs.readdirSync(dir).filter((n) => /^command_audit\.log\.\d+$/.test(n)).length;
      expect(rotated).toBeGreaterThan(30);

      const want = ['ready', ...Array.from({ length: N }, (_, i) => `AUDIT CMD: wizard executed 'say ${i}'`)];
      await until(() => seen().length >= want.length, 20_000, 50);
      const got = seen();
      const missing = want.filter((w) => !got.includes(w));
      expect(missing.slice(0, 10), `${missing.length} line(s) never shown by tail -F`).toEqual([]);
      expect(got).toEqual(want); // exactly once, in order
    } finally {
      tail?.kill();
      await logs.close();
    }
  });
});

if (!gnuTail) console.warn('[test/logging] GNU coreutils tail not found: tail -F test skipped');
