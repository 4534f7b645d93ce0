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

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/**
 * Makes player-controlled text safe for a one-record-per-line log: backslash, CR, LF and TAB
 * become escapes and other control characters become \xNN, so text can never split or forge a
 * line nor drive an operator's terminal (U+2028/U+2029 too: some viewers break lines there).
 */
export function escapeForLog(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\\\u2028\u2029]/g, (ch) => ESCAPES[ch] ?? hexEscape(ch));
}

function hexEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`;
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
