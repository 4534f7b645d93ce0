/**
 * Lines that carry a password on the line itself (`connect <name> <password>`, `create …`,
 * `password <old> <new>`, `@password <account> = <new>`, `claim <token>`): what the scroll-back
 * shows of them, and what the input history may keep. A line typed while the game asks for a
 * password (the `secret` event) is neither shown nor kept at all; that is the client's job.
 */

/** The command, and where its secret starts: everything after the match is secret. */
const SECRET_AFTER = [
  /^\s*(?:connect|conn|co|create|cr)\s+\S+\s+(?=\S)/i, // connect <name> <password>
  /^\s*password\s+(?=\S)/i, // password <old> <new>
  /^\s*@password\s+[^=]*=\s*(?=\S)/i, // @password <account> = <new>
  /^\s*claim\s+(?=\S)/i, // claim <token>
];

export const MASK = '********';

/**
 * @param {string} line  what the player typed
 * @returns {{ shown: string, kept: string }}  `shown` for the scroll-back (the secret masked),
 *   `kept` for the history (the line without its secret, ready for it to be typed again)
 */
export function maskSecrets(line) {
  for (const pattern of SECRET_AFTER) {
    const match = pattern.exec(line);
    if (match) return { shown: `${match[0]}${MASK}`, kept: match[0] };
  }
  return { shown: line, kept: line };
}
