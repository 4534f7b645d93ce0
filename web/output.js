/**
 * The scroll-back pane: game text with its ANSI colours, links, the client's own lines and the
 * player's echo. Everything becomes DOM text nodes (textContent), never markup.
 */
import { AnsiParser, isDefaultStyle, paletteColour } from './ansi.js';
import { splitLinks } from './links.js';
import { maskSecrets } from './secrets.js';

/** Oldest output is dropped past this many nodes, so a long session does not grow forever. */
const MAX_NODES = 8000;

/** @param {{ text: string, style: import('./ansi.js').Style }} run */
function runNode(run) {
  const { text, style } = run;
  if (isDefaultStyle(style)) return withLinks(document.createDocumentFragment(), text);
  const span = document.createElement('span');
  withLinks(span, text);
  let { fg, bg } = style;
  // Bold brightens the eight basic colours, as most MUD clients do.
  if (style.bold && typeof fg === 'number' && fg < 8) fg += 8;
  if (style.inverse) [fg, bg] = [bg ?? 'inv-fg', fg ?? 'inv-bg'];
  colour(span, 'fg', fg);
  colour(span, 'bg', bg);
  if (style.bold) span.classList.add('b');
  if (style.dim) span.classList.add('d');
  if (style.italic) span.classList.add('i');
  if (style.underline) span.classList.add('u');
  return span;
}

/**
 * `text` into `parent`, its http(s) addresses as links (opened in a new tab that cannot reach
 * back to this page: rel=noopener noreferrer).
 * @template {Node & ParentNode} T @param {T} parent @param {string} text @returns {T}
 */
export function withLinks(parent, text) {
  for (const piece of splitLinks(text)) {
    if (!piece.href) {
      parent.append(document.createTextNode(piece.text));
      continue;
    }
    const a = document.createElement('a');
    a.href = piece.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.textContent = piece.text;
    parent.append(a);
  }
  return parent;
}

/** @param {HTMLElement} span @param {'fg'|'bg'} which @param {number|string|null} value */
function colour(span, which, value) {
  if (value === null) return;
  if (value === 'inv-fg' || value === 'inv-bg') span.classList.add(value);
  else if (typeof value === 'number' && value < 16) span.classList.add(`${which}-${value}`);
  else {
    // CSSOM, not a style attribute: allowed by the page's Content-Security-Policy.
    const css = typeof value === 'number' ? paletteColour(value) : value;
    if (which === 'fg') span.style.color = css;
    else span.style.backgroundColor = css;
  }
}

/** Game text (ANSI colour and links) as nodes. @param {AnsiParser} parser @param {string} text */
export function gameTextNodes(parser, text) {
  const fragment = document.createDocumentFragment();
  for (const run of parser.feed(text)) fragment.append(runNode(run));
  return fragment;
}

export class Scrollback {
  /** @param {HTMLElement} pane @param {HTMLButtonElement} moreButton */
  constructor(pane, moreButton) {
    this.pane = pane;
    this.moreButton = moreButton;
    this.parser = new AnsiParser();
    /** Is the last thing in the pane a finished line (not an open prompt)? */
    this.atLineStart = true;
    /** Follow new output; off while the reader has scrolled back. */
    this.stick = true;
    pane.addEventListener('scroll', () => {
      this.stick = this.nearBottom();
      if (this.stick) moreButton.hidden = true;
    });
    moreButton.addEventListener('click', () => this.toBottom());
    // A phone's keyboard opening shrinks the pane: stay at the bottom if we were there.
    window.addEventListener('resize', () => {
      if (this.stick) pane.scrollTop = pane.scrollHeight;
    });
  }

  /** A new session: colours and line state start afresh. */
  restart() {
    this.parser = new AnsiParser();
  }

  nearBottom() {
    return this.pane.scrollHeight - this.pane.scrollTop - this.pane.clientHeight < 32;
  }

  toBottom() {
    this.stick = true;
    this.moreButton.hidden = true;
    this.pane.scrollTop = this.pane.scrollHeight;
  }

  /** @param {Node} node @param {string} text  what the node shows */
  append(node, text) {
    if (!text) return;
    // The reader may have scrolled back since the last scroll event was delivered.
    if (this.stick && !this.nearBottom()) this.stick = false;
    this.pane.append(node);
    this.atLineStart = text.endsWith('\n');
    while (this.pane.childNodes.length > MAX_NODES) this.pane.firstChild?.remove();
    if (this.stick) this.pane.scrollTop = this.pane.scrollHeight;
    else this.moreButton.hidden = false;
  }

  /** Game text (with ANSI colour). @param {string} text */
  game(text) {
    const fragment = gameTextNodes(this.parser, text);
    this.append(fragment, fragment.textContent ?? '');
  }

  /** A line from the client itself (connection state). @param {string} text @param {string} kind */
  system(text, kind = '') {
    const span = document.createElement('span');
    span.className = `sys ${kind}`.trim();
    span.textContent = `${this.atLineStart ? '' : '\n'}${text}\n`;
    this.append(span, span.textContent);
  }

  /** What the player typed, dimmed, a password on the line masked. @param {string} line */
  echo(line) {
    const span = document.createElement('span');
    span.className = 'echo';
    const { shown } = maskSecrets(line);
    // After an open prompt ("Name: ") the answer goes on its line, as in a terminal.
    span.textContent = this.atLineStart ? `> ${shown}\n` : `${shown}\n`;
    this.append(span, span.textContent);
  }
}
