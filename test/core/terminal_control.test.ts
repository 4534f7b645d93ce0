/**
 * Issue 13, item 5: builder text must not drive a player's terminal. `@set` stores any character
 * JSON can spell, so a room description can hold OSC, clear-screen and alternate-screen
 * sequences; only the game's own colours may reach the client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { escapeForLog, safeForTerminal } from '../../server/text.ts';
import { startGame, type RunningGame } from '../support/game.ts';

const ESC = '\x1b';

describe('terminal control sequences in stored text', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('reach a telnet player as text only: no OSC, no clear screen, no alternate screen; the game colours stay', async () => {
    run = await startGame();
    const builder = await run.login('Root');
    // Typed as JSON escapes (the input line itself holds no control character); @set decodes them.
    const hostile = String.raw`"\u001b]0;pwned\u0007\u001b[2J\u001b[?1049h\u001bc\u001b]8;;http://evil.example/\u001b\\link\u001b]8;;\u001b\\ \u001b[8mhidden\u001b[0m \u001b[31mred\u001b[0m\rplain\u009b2J end"`;
    await builder.command(`@set here/desc = ${hostile}`, 'Set Limbo/desc');
    expect(run.game.objects.search('Limbo')[0]!.attributes.get('desc', '')).toContain(`${ESC}]0;pwned`);

    const player = await run.login('Viewer');
    const before = player.raw.length;
    await player.command('look', 'end');
    const seen = player.raw.subarray(before).toString('latin1');
    for (const bad of [`${ESC}]`, `${ESC}[2J`, `${ESC}[?1049h`, `${ESC}c`, '\x07', `${ESC}[8m`, '\x9b', '\r' + 'plain', `${ESC}\\`]) {
      expect(seen, JSON.stringify(bad)).not.toContain(bad);
    }
    // The text between the sequences is still shown; the game's room-name colour and a plain
    // colour in the text (SGR, as the game itself emits) pass.
    expect(seen).toContain(`${ESC}[1;36mLimbo${ESC}[0m`);
    expect(seen).toContain(`link hidden${ESC}[0m ${ESC}[31mred${ESC}[0mplain end`);
    // Nothing of it reaches the player that typed it either (the same one filter).
    const own = builder.raw.length;
    await builder.command('look', 'end');
    expect(builder.raw.subarray(own).toString('latin1')).not.toContain(`${ESC}]`);
  });
});

describe('safeForTerminal', () => {
  it('keeps text, tab, newline and the game\'s SGR; removes every other control', () => {
    expect(safeForTerminal('plain\ttext\nline two')).toBe('plain\ttext\nline two');
    expect(safeForTerminal(`${ESC}[1;36mRoom${ESC}[0m ${ESC}[m${ESC}[92mok`)).toBe(`${ESC}[1;36mRoom${ESC}[0m ${ESC}[m${ESC}[92mok`);
    expect(safeForTerminal(`a${ESC}[5mb${ESC}[38;2;1;2;3mc${ESC}[6nd`)).toBe('abcd'); // blink, truecolour, a device status report
    expect(safeForTerminal(`a${ESC}]52;c;Zm9v${ESC}\\b`)).toBe('ab'); // OSC 52: a clipboard write
    expect(safeForTerminal(`a${ESC}]0;title never ended\nnext`)).toBe('a\nnext'); // an unterminated OSC ends at the line
    expect(safeForTerminal(`a${ESC}P1$qm${ESC}\\b${ESC}_apc${ESC}\\c`)).toBe('abc'); // DCS, APC
    expect(safeForTerminal(`a\x9b2Jb\x9d0;t\x9cc\x85d`)).toBe('abcd'); // C1 CSI, OSC, ST, NEL
    expect(safeForTerminal(`a${ESC}(0b${ESC}7c${ESC}`)).toBe('abc'); // charset switch, save cursor, a lone ESC
    expect(safeForTerminal('over\rwrite\x07\x08\x00')).toBe('overwrite');
  });
});

describe('escapeForLog', () => {
  it('escapes bidirectional and invisible characters, so a log shows what was really typed', () => {
    expect(escapeForLog('a\u202eb\u202ac\u2066d\u2069e')).toBe(String.raw`a\u202eb\u202ac\u2066d\u2069e`);
    expect(escapeForLog('zero\u200bwidth\u200c\u200d\u200e\u200f')).toBe(String.raw`zero\u200bwidth\u200c\u200d\u200e\u200f`);
    expect(escapeForLog('\ufeffbom soft\u00adhyphen \u2060join \u061c \u180e')).toBe(String.raw`\ufeffbom soft\xadhyphen \u2060join \u061c \u180e`);
    expect(escapeForLog('tag\u{e0041}\u{e007f}')).toBe(String.raw`tag\u{e0041}\u{e007f}`);
    // Ordinary text, accents, emoji and right-to-left letters themselves are left alone.
    expect(escapeForLog('héllo ☃ 😀 שלום')).toBe('héllo ☃ 😀 שלום');
    expect(escapeForLog('back\\slash\nnew')).toBe(String.raw`back\\slash\nnew`);
  });
});
