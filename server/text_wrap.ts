/**
 * Wrapping game output at the client's screen width (telnet NAWS, RFC 1073; 80 columns when
 * the client never said). The one implementation: Session applies it to everything it sends a
 * telnet client, tables included, so no command wraps by hand. The browser wraps for itself.
 *
 * Words move to the next line whole; a word longer than the line is cut. ANSI SGR sequences
 * take no columns and are never cut (a colour still in force simply carries over, as a
 * terminal keeps it across a newline). A wrapped line's continuations are indented like the
 * line itself, plus two, so a table row's overflow reads as part of its row.
 */

/** The narrowest width we wrap at: below it, continuation indents would eat the line. */
export const MIN_WRAP_WIDTH = 20;
export const DEFAULT_WRAP_WIDTH = 80;

/** An SGR (or any CSI) sequence: zero columns, one token. */
const ESCAPE = /\x1b\[[0-9;?]*[\x20-\x2f]*[\x40-\x7e]/y;

/** The columns a code point takes: 0 for combining marks, 2 for East Asian wide ones, else 1. */
function columns(codePoint: number): number {
  if ((codePoint >= 0x300 && codePoint <= 0x36f) || (codePoint >= 0x200b && codePoint <= 0x200f) || codePoint === 0xfe0f) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Columns `text` takes on screen (escapes take none). */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const token of tokens(text)) width += token.width;
  return width;
}

interface Token {
  text: string;
  width: number;
  space: boolean;
}

/** Escapes, single characters and spaces, in order. */
function* tokens(line: string): Generator<Token> {
  for (let i = 0; i < line.length; ) {
    if (line.charCodeAt(i) === 0x1b) {
      ESCAPE.lastIndex = i;
      const m = ESCAPE.exec(line);
      if (m) {
        yield { text: m[0], width: 0, space: false };
        i += m[0].length;
        continue;
      }
    }
    const codePoint = line.codePointAt(i)!;
    const text = String.fromCodePoint(codePoint);
    yield { text, width: text === '\t' ? 1 : columns(codePoint), space: text === ' ' || text === '\t' };
    i += text.length;
  }
}

/**
 * `text` with every line at most `width` columns; its first line starts at `startColumn` (after
 * a prompt still on the screen). Cheap when nothing is too long, which is most output: a line
 * no longer in UTF-16 units than the width cannot be wider.
 */
export function wrapText(text: string, width: number | null = DEFAULT_WRAP_WIDTH, startColumn = 0): string {
  const at = Math.max(MIN_WRAP_WIDTH, width || DEFAULT_WRAP_WIDTH);
  const start = Math.min(Math.max(0, startColumn), Math.floor(at / 2));
  if (text.length + start <= at) return text;
  const lines = text.split('\n');
  const fits = (line: string, i: number) => line.length + (i === 0 ? start : 0) <= at;
  if (lines.every(fits)) return text;
  return lines.map((line, i) => (fits(line, i) ? line : wrapLine(line, at, i === 0 ? start : 0))).join('\n');
}

/** Printable ASCII and Latin letters: one column per UTF-16 unit, no escapes (nearly every word). */
const SIMPLE = /^[\x21-\x7e\u00a0-\u02ff]*$/;

const widthOf = (word: string): number => (SIMPLE.test(word) ? word.length : visibleWidth(word));

function wrapLine(line: string, width: number, start: number): string {
  const leading = /^[ \t]*/.exec(line)![0];
  // Words and the gaps between them; an escape holds no blank, so it stays inside its word.
  const parts = line.slice(leading.length).split(/([ \t]+)/);
  const words: Array<{ text: string; width: number; gap: string }> = [];
  for (let i = 0; i < parts.length; i += 2) {
    if (parts[i]) words.push({ text: parts[i]!, width: widthOf(parts[i]!), gap: i > 0 ? parts[i - 1]! : '' });
  }
  const leadingWidth = visibleWidth(leading);
  if (start + leadingWidth + words.reduce((sum, w) => sum + w.width + w.gap.length, 0) <= width) return line;
  const indent = ' '.repeat(Math.min(leadingWidth + 2, Math.floor(width / 2)));
  const out: string[] = [];
  let current = leading;
  let currentWidth = start + leadingWidth;
  /** No word on the line being filled yet (a word never moves off an empty line). */
  let empty = true;
  const breakLine = () => {
    out.push(current.trimEnd());
    current = indent;
    currentWidth = indent.length;
    empty = true;
  };
  for (const word of words) {
    if (!empty && currentWidth + word.gap.length + word.width > width) breakLine();
    else if (!empty) {
      current += word.gap;
      currentWidth += word.gap.length;
    }
    if (word.width <= width - currentWidth) {
      current += word.text;
      currentWidth += word.width;
    } else {
      // Longer than a whole line: cut it, character by character (escapes stay whole).
      for (const token of tokens(word.text)) {
        if (token.width && currentWidth + token.width > width) breakLine();
        current += token.text;
        currentWidth += token.width;
      }
    }
    empty = false;
  }
  out.push(current.trimEnd());
  return out.join('\n');
}
