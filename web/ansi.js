/**
 * ANSI SGR for the webclient: game text in, runs of plain text with a style out. No DOM here,
 * and no markup ever: the page puts each run's text in a node with textContent, so whatever a
 * player typed stays text. Other escape sequences (cursor moves, clears) and control characters
 * mean nothing in a scrolling pane and are dropped.
 */

/** @typedef {number | string | null} Colour  0-255 palette index, '#rrggbb', or null (default) */
/**
 * @typedef {{ fg: Colour, bg: Colour, bold: boolean, dim: boolean, italic: boolean,
 *             underline: boolean, inverse: boolean }} Style
 */

/** @returns {Style} */
export function defaultStyle() {
  return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false };
}

/** @param {Style} style */
export function isDefaultStyle(style) {
  return style.fg === null && style.bg === null && !style.bold && !style.dim && !style.italic && !style.underline && !style.inverse;
}

/** An escape cut off at the end of a chunk waits for the next one, up to this length. */
const MAX_PENDING = 64;

export class AnsiParser {
  constructor() {
    /** @type {Style} */
    this.style = defaultStyle();
    this.pending = '';
  }

  /**
   * @param {string} chunk
   * @returns {{ text: string, style: Style }[]}
   */
  feed(chunk) {
    const input = this.pending + chunk;
    this.pending = '';
    /** @type {{ text: string, style: Style }[]} */
    const runs = [];
    let text = '';
    const flush = () => {
      if (text) runs.push({ text, style: { ...this.style } });
      text = '';
    };
    let i = 0;
    while (i < input.length) {
      const ch = input[i];
      const code = input.charCodeAt(i);
      if (ch === '\x1b') {
        if (i + 1 >= input.length) {
          this.pending = input.slice(i);
          break;
        }
        if (input[i + 1] !== '[') {
          i += 2; // a two-byte escape: nothing to show
          continue;
        }
        let j = i + 2;
        while (j < input.length && input.charCodeAt(j) >= 0x30 && input.charCodeAt(j) <= 0x3f) j++; // parameters
        while (j < input.length && input.charCodeAt(j) >= 0x20 && input.charCodeAt(j) <= 0x2f) j++; // intermediates
        if (j >= input.length) {
          if (input.length - i <= MAX_PENDING) this.pending = input.slice(i);
          break;
        }
        const final = input.charCodeAt(j);
        if (final >= 0x40 && final <= 0x7e) {
          if (input[j] === 'm') {
            flush();
            this.apply(input.slice(i + 2, j));
          }
          i = j + 1;
        } else {
          i = j; // malformed: drop what we read, keep the character that broke it
        }
        continue;
      }
      if ((code < 0x20 && ch !== '\n' && ch !== '\t') || (code >= 0x7f && code <= 0x9f)) {
        i++;
        continue;
      }
      text += ch;
      i++;
    }
    flush();
    return runs;
  }

  /** @param {string} params  the part between ESC[ and m */
  apply(params) {
    const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
    const s = this.style;
    for (let k = 0; k < codes.length; k++) {
      const c = codes[k];
      if (!Number.isInteger(c)) continue;
      if (c === 0) Object.assign(s, defaultStyle());
      else if (c === 1) s.bold = true;
      else if (c === 2) s.dim = true;
      else if (c === 3) s.italic = true;
      else if (c === 4) s.underline = true;
      else if (c === 7) s.inverse = true;
      else if (c === 22) s.bold = s.dim = false;
      else if (c === 23) s.italic = false;
      else if (c === 24) s.underline = false;
      else if (c === 27) s.inverse = false;
      else if (c >= 30 && c <= 37) s.fg = c - 30;
      else if (c === 39) s.fg = null;
      else if (c >= 40 && c <= 47) s.bg = c - 40;
      else if (c === 49) s.bg = null;
      else if (c >= 90 && c <= 97) s.fg = c - 90 + 8;
      else if (c >= 100 && c <= 107) s.bg = c - 100 + 8;
      else if (c === 38 || c === 48) {
        const key = c === 38 ? 'fg' : 'bg';
        if (codes[k + 1] === 5 && k + 2 < codes.length) {
          const n = codes[k + 2];
          if (Number.isInteger(n) && n >= 0 && n <= 255) s[key] = n;
          k += 2;
        } else if (codes[k + 1] === 2 && k + 4 < codes.length) {
          const rgb = codes.slice(k + 2, k + 5);
          if (rgb.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) s[key] = `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
          k += 4;
        } else {
          break; // malformed extended colour: ignore the rest
        }
      }
    }
  }
}

/**
 * CSS colour of xterm's 256-colour palette entries 16-255 (0-15 are themed in style.css).
 * @param {number} n
 */
export function paletteColour(n) {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const level = (x) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))}, ${level(Math.floor(i / 6) % 6)}, ${level(i % 6)})`;
}
