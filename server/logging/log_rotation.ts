/**
 * The text logs' two rotation schemes (see README.md in this folder), for the AppendFile engine:
 *
 *  - size: `name` → `name.1` → … → `name.<keep>` (newest rotated is `.1`; beyond keep deleted).
 *  - daily: `name` → `name.YYYY-MM-DD` (the UTC day of its lines; never overwrites: `.N` added
 *    if taken), the oldest beyond keep deleted. An existing non-empty live file belongs to the
 *    day of its mtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RotationScheme } from './append_file.ts';
import { ignoreEnoent } from './live_file.ts';

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function sizeRotation(maxBytes: number, keepFiles: number): RotationScheme {
  const keep = Math.max(0, Math.floor(keepFiles));
  /** Highest existing `name.N` (N <= keep), or undefined = rescan (after a failure). */
  let top: number | undefined;
  return {
    due: (size, _key, rec) => size + rec.buf.length > maxBytes,
    keyOnOpen: () => null,
    async moveAside(file) {
      if (keep === 0) return ignoreEnoent(fs.promises.unlink(file));
      let n = top ?? (await highestRotated(file, keep));
      top = undefined;
      if (n >= keep) {
        await ignoreEnoent(fs.promises.unlink(`${file}.${keep}`));
        n = keep - 1;
      }
      for (let k = n; k >= 1; k--) await ignoreEnoent(fs.promises.rename(`${file}.${k}`, `${file}.${k + 1}`));
      await ignoreEnoent(fs.promises.rename(file, `${file}.1`));
      top = n + 1;
    },
  };
}

export function dailyRotation(keepFiles: number): RotationScheme {
  const keep = Math.max(0, Math.floor(keepFiles));
  return {
    due: (_size, key, rec) => key !== null && rec.key !== undefined && rec.key > key,
    keyOnOpen: (st) => utcDay(st.mtime),
    async moveAside(file, key) {
      const day = key ?? utcDay(new Date());
      let target = `${file}.${day}`;
      // Never overwrite an existing rotated file (e.g. after a clock step).
      for (let n = 1; await exists(target); n++) target = `${file}.${day}.${n}`;
      await ignoreEnoent(fs.promises.rename(file, target));
    },
    async prune(file) {
      const dir = path.dirname(file);
      const prefix = path.basename(file) + '.';
      const rotated = (await fs.promises.readdir(dir))
        .filter((n) => n.startsWith(prefix) && /^\d{4}-\d{2}-\d{2}(\.\d+)?$/.test(n.slice(prefix.length)))
        .map((n) => {
          const [day, suffix] = [n.slice(prefix.length, prefix.length + 10), n.slice(prefix.length + 11)];
          return { n, day, s: suffix ? Number(suffix) : 0 };
        })
        .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.s - b.s));
      for (const r of rotated.slice(0, Math.max(0, rotated.length - keep))) {
        await ignoreEnoent(fs.promises.unlink(path.join(dir, r.n)));
      }
    },
  };
}

async function highestRotated(file: string, keep: number): Promise<number> {
  const prefix = path.basename(file) + '.';
  let top = 0;
  for (const n of await fs.promises.readdir(path.dirname(file))) {
    if (!n.startsWith(prefix)) continue;
    const rest = n.slice(prefix.length);
    if (!/^[1-9]\d*$/.test(rest)) continue;
    const k = Number(rest);
    if (k <= keep && k > top) top = k;
  }
  return top;
}

async function exists(f: string): Promise<boolean> {
  try {
    await fs.promises.lstat(f);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
