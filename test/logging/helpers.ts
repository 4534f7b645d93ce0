import { expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

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

/** Message part of a formatted line. */
export const msgOf = (line: string) => line.split(' | ').slice(3).join(' | ');
