/**
 * The input history: up and down walk it, and it is kept in this browser's localStorage, so a
 * reload of the page keeps it. Only what `maskSecrets` keeps is ever stored: a password typed at
 * the prompt never reaches here, and one typed on the line (`connect Bob hunter2`) is cut off.
 */
import { maskSecrets } from './secrets.js';

const STORAGE_KEY = 'mud.webclient.history';
const HISTORY_SIZE = 500;

export class CommandHistory {
  constructor() {
    /** @type {string[]} */
    this.lines = load();
    this.at = this.lines.length;
    this.draft = '';
  }

  /** A line the player sent (not a password answer). @param {string} line */
  add(line) {
    const { kept } = maskSecrets(line);
    if (kept.trim() && this.lines[this.lines.length - 1] !== kept) {
      this.lines.push(kept);
      if (this.lines.length > HISTORY_SIZE) this.lines.shift();
      save(this.lines);
    }
    this.reset();
  }

  reset() {
    this.at = this.lines.length;
    this.draft = '';
  }

  /** The older line, or null at the oldest. @param {string} current  what the input holds now */
  older(current) {
    if (this.at <= 0) return null;
    if (this.at === this.lines.length) this.draft = current;
    this.at--;
    return this.lines[this.at] ?? '';
  }

  /** The newer line (the draft past the newest), or null at the draft. */
  newer() {
    if (this.at >= this.lines.length) return null;
    this.at++;
    return this.at === this.lines.length ? this.draft : (this.lines[this.at] ?? '');
  }
}

/** @returns {string[]} */
function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    // Stored by an older client, or by hand: cleaned the same way as a new line.
    return Array.isArray(stored) ? stored.filter((l) => typeof l === 'string').map((l) => maskSecrets(l).kept).slice(-HISTORY_SIZE) : [];
  } catch {
    return []; // storage off (private mode, blocked) or not JSON: an empty history
  }
}

/** @param {string[]} lines */
function save(lines) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(lines));
  } catch {
    // Storage full or off: the history still works for this page.
  }
}
