import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTrailFiles } from '../../server/audit/jsonl_files.ts';
import { JsonlWriter, type JsonlWriterOptions } from '../../server/audit/jsonl_writer.ts';
import { tempDir } from '../support/temp_dir.ts';

const writerIn = (dir: string, options: Partial<JsonlWriterOptions> = {}) =>
  new JsonlWriter({ dir, maxBytes: 1 << 20, fileMode: 0o600, dirMode: 0o700, liveDay: null, onError: () => {}, onRecover: () => {}, ...options });

const names = (dir: string) => listTrailFiles(dir).map((f) => path.basename(f));

describe('the JSONL writer', () => {
  it('rotates on the UTC day of the events and by size, never overwriting, and keeps the live name', async () => {
    const dir = path.join(tempDir(), 'audit');
    const writer = writerIn(dir, { maxBytes: 40 });
    writer.append('{"n":1,"pad":"xxxxxxxxxxxx"}', '2026-11-21');
    writer.append('{"n":2,"pad":"xxxxxxxxxxxx"}', '2026-11-22'); // next day: rotates
    writer.append('{"n":3,"pad":"xxxxxxxxxxxx"}', '2026-11-22'); // too big together: rotates
    writer.append('{"n":4,"pad":"xxxxxxxxxxxx"}', '2026-11-22');
    writer.append('{"n":5,"pad":"xxxxxxxxxxxx"}', '2026-11-23');
    await writer.close();
    expect(names(dir)).toEqual(['audit-2026-11-21.jsonl', 'audit-2026-11-22.jsonl', 'audit-2026-11-22.1.jsonl', 'audit-2026-11-22.2.jsonl', 'audit.jsonl']);
    const content = listTrailFiles(dir).map((f) => fs.readFileSync(f, 'utf8'));
    expect(content.map((c) => JSON.parse(c).n)).toEqual([1, 2, 3, 4, 5]);
    expect(writer.stats()).toMatchObject({ written: 5, rotations: 4, queued: 0 });
  });

  it('holds records while its directory is unusable and writes them, in order, when it comes back', async () => {
    const dir = path.join(tempDir(), 'audit');
    fs.writeFileSync(dir, 'not a directory');
    const errors: string[] = [];
    const recovered: string[] = [];
    const writer = writerIn(dir, { retryMs: 20, onError: (m) => errors.push(m), onRecover: (m) => recovered.push(m) });
    for (let i = 0; i < 5; i++) writer.append(JSON.stringify({ i }), '2026-11-23');
    await expect.poll(() => writer.stats().failing, { timeout: 10_000 }).toBe(true);
    for (let i = 5; i < 10; i++) writer.append(JSON.stringify({ i }), '2026-11-23');
    expect(writer.stats()).toMatchObject({ written: 0, queued: 10 });
    expect(errors).toHaveLength(1);
    expect(writer.stats().lastError).toContain('ENOTDIR');
    fs.rmSync(dir);
    await expect.poll(() => writer.stats().written, { timeout: 10_000 }).toBe(10);
    expect(recovered).toHaveLength(1);
    expect(writer.stats()).toMatchObject({ failing: false, queued: 0 });
    await writer.close();
    expect(fs.readFileSync(path.join(dir, 'audit.jsonl'), 'utf8')).toBe(Array.from({ length: 10 }, (_, i) => `{"i":${i}}\n`).join(''));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });
});

const gnuTail = (() => {
  const r = spawnSync('tail', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /GNU coreutils/.test(r.stdout);
})();
if (!gnuTail) console.warn('[test/audit_trail] GNU coreutils tail not found: tail -F test skipped');

describe.skipIf(!gnuTail)('tail -F logs/audit/audit.jsonl', () => {
  it('follows the live name across rotations and sees every record once, in order', async () => {
    const dir = path.join(tempDir(), 'audit');
    const writer = writerIn(dir, { maxBytes: 2048 });
    writer.append('{"n":"ready"}', '2026-11-23');
    await writer.flush();
    let out = '';
    let tail: ChildProcess | undefined;
    try {
      tail = spawn('tail', ['-n', '+1', '-F', path.join(dir, 'audit.jsonl')], { stdio: ['ignore', 'pipe', 'ignore'] });
      tail.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      const seen = () => out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { n: unknown }).n);
      await expect.poll(seen, { timeout: 10_000 }).toEqual(['ready']);
      const N = 800;
      // ~40 rotations. Real sizes never rotate faster than tail can reopen the name (see
      // test/logging/tail.test.ts), so after each rotation wait until tail is on the new file.
      let rotations = 0;
      for (let i = 0; i < N; i++) {
        writer.append(JSON.stringify({ n: i, pad: 'x'.repeat(80) }), '2026-11-23');
        if (i % 10 === 9) {
          await writer.flush();
          if (writer.stats().rotations > rotations) {
            rotations = writer.stats().rotations;
            await expect.poll(() => seen().length, { timeout: 10_000, interval: 5 }).toBe(i + 2);
          }
        }
      }
      await writer.flush();
      expect(writer.stats().rotations).toBeGreaterThan(30);
      await expect.poll(() => seen().length, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(N + 1);
      expect(seen()).toEqual(['ready', ...Array.from({ length: N }, (_, i) => i)]);
    } finally {
      tail?.kill();
      await writer.close();
    }
  });
});
