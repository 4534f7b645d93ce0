/**
 * Text helpers shared by the pipeline. Game output carries ANSI SGR sequences; each front end
 * renders them (telnet passes or strips them, the browser turns them into styled spans). Player
 * input never carries them: `cleanInput` strips ESC with the other control characters.
 */
import { MASK } from './audit/events.ts';

const SGR = (code: string) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;

export const ansi = {
  bold: SGR('1'),
  red: SGR('31'),
  green: SGR('32'),
  yellow: SGR('33'),
  blue: SGR('34'),
  magenta: SGR('35'),
  cyan: SGR('36'),
  roomName: SGR('1;36'),
  exitName: SGR('32'),
  highlight: SGR('1;33'),
};

// C0 controls except TAB, DEL, and the C1 range (which some terminals obey as escapes).
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/** Input hygiene: control characters other than tab are dropped; UTF-8 text stays intact. */
export function cleanInput(line: string): string {
  return line.replace(CONTROL, '');
}

/**
 * What may reach a client's terminal: text, TAB, LF, and SGR sequences with the colour and
 * attribute codes the game itself uses (`ansi` above; also their standard neighbours, and the
 * bright colours). Everything else is a control that builder or player text has no business
 * sending: OSC (window title, hyperlinks, clipboard writes), CSI other than SGR (clear screen,
 * cursor moves, alternate screen, device reports), DCS/APC/PM/SOS strings, two-byte escapes
 * (ESC c resets the terminal), CR (overwrites the line), BEL, C1 controls. Blink and conceal
 * (SGR 5, 6, 8) are refused too: conceal hides text from the player while it is on screen.
 */
const ALLOWED_SGR = new Set([0, 1, 2, 3, 4, 7, 9, 21, 22, 23, 24, 27, 29, 39, 49, ...range(30, 37), ...range(40, 47), ...range(90, 97), ...range(100, 107)]);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const TERMINAL_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const TERMINAL_SEQUENCE = new RegExp(
  [
    '(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]', // CSI … final
    '(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])[^\\x07\\x1b\\x9c\\n]*(?:\\x07|\\x1b\\\\|\\x9c)?', // OSC/DCS/SOS/PM/APC … BEL or ST
    '\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]', // two-byte escapes (with intermediates: ESC ( B)
    '[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]', // any other control, a lone ESC included
  ].join('|'),
  'g',
);

function isGameSgr(sequence: string): boolean {
  const m = /^\x1b\[([0-9;]*)m$/.exec(sequence);
  return !!m && m[1]!.split(';').every((code) => code === '' || ALLOWED_SGR.has(Number(code)));
}

/**
 * The one filter between the game and a player's screen (Session sends everything through it,
 * telnet and browser alike): stored text is anyone's (`@set here/desc = "\u001b]0;…"` stores
 * any character JSON can spell), so terminal controls in it are removed; the game's own colours
 * stay. Cheap when there is nothing to remove, which is nearly always.
 */
export function safeForTerminal(text: string): string {
  if (!TERMINAL_UNSAFE.test(text)) return text;
  return text.replace(TERMINAL_SEQUENCE, (seq) => (isGameSgr(seq) ? seq : ''));
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/**
 * Characters a log must show as escapes: the C0 and C1 controls, DEL and backslash; U+2028/U+2029
 * (some viewers break lines there); and the invisible and bidirectional formatting characters,
 * which draw nothing or reorder what is drawn, so that `Anna` and `An\u200bna` (two names) or a
 * line reversed by U+202E would look alike to the person reading it: soft hyphen, Arabic letter
 * mark, Mongolian vowel separator, U+200B–U+200F (zero-width space/joiners, LRM, RLM),
 * U+202A–U+202E (embeddings, overrides), U+2060–U+206F (word joiner, invisible operators,
 * isolates, deprecated format characters), U+FEFF (BOM), U+FFF9–U+FFFB (interlinear
 * annotation) and the tag characters U+E0000–U+E007F.
 */
const LOG_UNSAFE = /[\x00-\x1f\x7f-\x9f\\\u2028\u2029\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;

/**
 * Makes player-controlled text safe for a one-record-per-line log: backslash, CR, LF and TAB
 * become escapes, other control characters \xNN and the invisible ones above \uXXXX (or
 * \u{XXXXX}), so text can never split or forge a line, drive an operator's terminal, or hide
 * what it says.
 */
export function escapeForLog(text: string): string {
  return text.replace(LOG_UNSAFE, (ch) => ESCAPES[ch] ?? hexEscape(ch));
}

function hexEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code > 0xffff) return `\\u{${code.toString(16)}}`;
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** `text` cut to at most `max` characters (code points, so no emoji is split); a cut one ends in `…`. */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Display width helper for tables: pads plain (non-ANSI) text. */
export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A simple two-column key/value table, as `@examine` and `@audit` print. */
export function keyValueTable(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${pad(k, width)} : ${v}`).join('\n');
}

/** "a, b and c" */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** A command's arguments as every trail may show them: `***` when they carry a password. */
export function maskedArgs(command: { readonly secretArgs?: boolean }, args: string): string {
  return args && command.secretArgs ? MASK : args;
}
