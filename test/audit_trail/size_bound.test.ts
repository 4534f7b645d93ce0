/**
 * One player must not be able to fill the disk: past MUD_AUDIT_MAX_BYTES the oldest whole days
 * of the trail go (files and table rows alike), never the day being written; free space is in
 * /metrics-ready form.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sizeCutoff } from '../../server/audit/retention.ts';
import { diskSpace } from '../../server/disk_space.ts';
import { tempDir } from '../support/temp_dir.ts';

const day = (offset: number, now: Date) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

describe('the trail bounded by size', () => {
  it('cuts off the oldest whole days until the files fit, never today', () => {
    const dir = tempDir();
    const now = new Date('2026-12-01T12:00:00Z');
    const write = (name: string, bytes: number) => fs.writeFileSync(path.join(dir, name), Buffer.alloc(bytes, 0x61));
    write(`audit-${day(-3, now)}.jsonl`, 4000);
    write(`audit-${day(-2, now)}.jsonl`, 3000);
    write(`audit-${day(-2, now)}.1.jsonl`, 1000);
    write(`audit-${day(-1, now)}.jsonl`, 2000);
    write(`audit-${day(0, now)}.jsonl`, 5000);
    write('audit.jsonl', 1000);
    // 16,000 bytes in all.
    expect(sizeCutoff(dir, 20_000, now)).toBeNull();
    expect(sizeCutoff(dir, 0, now)).toBeNull();
    // 12,000 must go to fit 4,000... but only whole past days may: up to the start of today.
    expect(sizeCutoff(dir, 13_000, now)).toBe(`${day(-2, now)}T00:00:00.000Z`);
    expect(sizeCutoff(dir, 9_000, now)).toBe(`${day(-1, now)}T00:00:00.000Z`);
    expect(sizeCutoff(dir, 1_000, now)).toBe(`${day(0, now)}T00:00:00.000Z`);
  });

  it('reads the free space of the data and log disks', () => {
    const dir = tempDir();
    const [d] = diskSpace([dir, path.join(dir, 'missing')]);
    expect(diskSpace([dir, path.join(dir, 'missing')])).toHaveLength(1);
    expect(d!.path).toBe(dir);
    expect(d!.freeBytes).toBeGreaterThan(0);
  });
});
