import { expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function tempDir(prefix = 'mudlog-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Lines of a file (without the trailing empty string); [] if missing. */
export function readLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** Size-rotated set oldest first: base.N … base.1, base. */
export function sizeRotatedFiles(dir: string, base: string): string[] {
  const nums = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(base + '.') && /^\d+$/.test(n.slice(base.length + 1)))
    .map((n) => Number(n.slice(base.length + 1)))
    .sort((a, b) => b - a);
  return [...nums.map((k) => path.join(dir, `${base}.${k}`)), path.join(dir, base)];
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `cond` until true or `ms` elapsed; returns the final value. */
export async function waitFor(cond: () => boolean, ms = 10_000, step = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(step);
  }
  return true;
}

/** Message part of a formatted line. */
export const msgOf = (line: string) => line.split(' | ').slice(3).join(' | ');
