/** The one wrapping implementation (server/text_wrap.ts), on the inputs sockets rarely show. */
import { describe, expect, it } from 'vitest';
import { visibleWidth, wrapText } from '../../server/text_wrap.ts';

const SGR = /\x1b\[[0-9;]*m/g;

describe('wrapText', () => {
  it('cuts a word longer than the line between characters, never inside an escape', () => {
    const word = Array.from({ length: 40 }, (_, i) => `\x1b[3${i % 8}m${'ab'}`).join('') + '\x1b[0m';
    const wrapped = wrapText(word, 25);
    const lines = wrapped.split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(visibleWidth(line)).toBeLessThanOrEqual(25);
      expect(line.replace(SGR, '')).not.toContain('\x1b');
    }
    expect(wrapped.replace(SGR, '').replace(/\n\s*/g, '')).toBe('ab'.repeat(40));
  });

  it('counts East Asian wide characters as two columns and leaves short text alone', () => {
    const wide = '漢字 '.repeat(20).trim();
    for (const line of wrapText(wide, 20).split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(20);
    expect(wrapText('short line\nanother', 20)).toBe('short line\nanother');
    expect(wrapText('x '.repeat(30), 0)).toBe(wrapText('x '.repeat(30), 80));
  });

  it('indents a wrapped line\'s continuations under its own indent, and wrapping twice changes nothing', () => {
    const row = `    ${'word '.repeat(25).trim()}`;
    const once = wrapText(row, 40);
    expect(once.split('\n').slice(1).every((l) => l.startsWith('      w'))).toBe(true);
    expect(wrapText(once, 40)).toBe(once);
  });
});
