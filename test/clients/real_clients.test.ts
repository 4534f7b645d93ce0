/**
 * Real players' clients against the real game: Debian's `telnet` and tintin++ (`tt++`), each
 * running in its own tmux terminal. The test types as a player would and reads the screen as a
 * player would see it, so it proves what unit tests of our telnet layer cannot: that the
 * negotiation we send makes these programs hide passwords, keep UTF-8 intact both ways and lay
 * lines out correctly (no stair-stepping, no double spacing).
 *
 * Needs the Debian packages tmux, telnet and tintin++ (.ci/run installs them); skipped loudly
 * without them, and a failure under MUD_TEST_REQUIRE_TOOLS=1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGame, type RunningGame } from '../support/game.ts';
import { ref } from '../support/ids.ts';
import { TmuxTerminal } from '../support/tmux.ts';
import { requireTool } from '../support/tools.ts';
import { sleep } from '../support/wait.ts';

const tmux = requireTool('the real-client tests (telnet and tt++ in a terminal)', 'tmux');
const telnet = requireTool('the real telnet client test', 'telnet');
// Debian installs tt++ in /usr/games, which is not on every PATH.
const tintin = requireTool('the tintin++ client test', 'tt++', '/usr/games/tt++');

/** Typed at the Password: prompts; unique, so finding it anywhere means it leaked. */
const SECRET = 'Hidden-Pw-8841';
const SAID = 'héllo wörld ☃';

/** Lines the game sends that must start at column 0 wherever they appear. */
const GAME_LINES = /^\s*(Password:|Confirm password:|Welcome, |You become |Limbo$|Courtyard$|A grey, quiet|The cobbled|Exits:|You say, |Goodbye!)/;

describe('real MUD clients in a terminal', () => {
  let run: RunningGame | undefined;
  let term: TmuxTerminal | undefined;
  afterEach(async () => {
    await term?.kill();
    term = undefined;
    await run?.stop();
    run = undefined;
  });

  /**
   * Plays through create (password typed at the prompts), look, north, say and quit, checking
   * the screen at each step. Returns the last screen.
   */
  async function play(t: TmuxTerminal, game: RunningGame, name: string): Promise<string[]> {
    await t.waitFor(`Welcome to ${game.config.serverName}!`);

    await t.type(`create ${name}`);
    await t.waitFor('Password:');
    await typeSecret(t);
    await t.waitFor('Confirm password:');
    await typeSecret(t);
    await t.waitFor((lines) => lines.some((l) => l.includes('Exits:')) && lines.some((l) => l.includes(`You become ${name}.`)));
    expect((await t.screen()).join('\n')).not.toContain(SECRET);

    await t.type('look');
    await t.waitFor((lines) => lines.filter((l) => l.trim() === 'Limbo').length >= 2);
    await t.type('north');
    await t.waitFor('You see: fountain.');
    await t.type(`say ${SAID}`);
    const screen = await t.waitFor((lines) => lines.some((l) => l.includes('You say,')));
    expect(screen.join('\n')).not.toContain(SECRET);

    // UTF-8 intact both ways, and the reply starts at column 0.
    const said = screen.findIndex((l) => l.includes('You say,'));
    expect(screen[said]).toBe(`You say, "${SAID}"`);
    // The command as typed (local echo) sits right above its reply, after the prompt the game
    // sent when the last command's output ended (MUD_PROMPT, marked with GA/EOR): no blank line.
    expect(screen[said - 1]).toBe(`> say ${SAID}`);
    // Not double-spaced: the room shows as consecutive lines.
    const room = screen.map((l) => l.includes('Courtyard')).lastIndexOf(true);
    expect(room).toBeGreaterThan(0);
    expect(screen[room + 1]).toMatch(/^The cobbled courtyard/);
    expect(screen.slice(room, screen.findIndex((l, i) => i > room && l.includes('You see: fountain.')) + 1).every((l) => l.length > 0)).toBe(true);
    // Not stair-stepped: every game line starts at column 0.
    const indented = screen.filter((l) => GAME_LINES.test(l) && /^\s/.test(l));
    expect(indented).toEqual([]);
    // The password prompts stand alone: nothing typed shows after them.
    expect(screen.filter((l) => l.startsWith('Password:') || l.startsWith('Confirm password:'))).toEqual(['Password:', 'Confirm password:']);

    await t.type('quit');
    const last = await t.waitFor('Goodbye!');
    await expect.poll(() => game.game.sessions.count, { timeout: 10_000 }).toBe(0);
    return last;
  }

  /**
   * Types the password without Enter and watches the screen for a while (a bounded number of
   * polls): it must never show up. A slow client could only make this pass wrongly, never fail
   * wrongly; the check after Enter (above) covers the rest.
   */
  async function typeSecret(t: TmuxTerminal): Promise<void> {
    await t.type(SECRET, { enter: false });
    for (let i = 0; i < 5; i++) {
      expect((await t.screen()).join('\n')).not.toContain(SECRET);
      await sleep(40);
    }
    await t.type('');
  }

  async function checkLogs(game: RunningGame, name: string): Promise<void> {
    const audit = await game.logs.lines('command_audit.log');
    const who = ref(game, name);
    const commands = audit.filter((l) => l.includes(`AUDIT CMD: ${who} `)).map((l) => l.slice(l.indexOf('AUDIT CMD:')));
    expect(commands).toEqual([
      `AUDIT CMD: ${who} executed 'look'`,
      `AUDIT CMD: ${who} executed 'north'`,
      `AUDIT CMD: ${who} executed 'say' with args '${SAID}'`,
      `AUDIT CMD: ${who} executed 'quit'`,
    ]);
    expect(await game.logs.everything()).not.toContain(SECRET);
  }

  it.skipIf(!tmux || !telnet)("Debian's telnet plays: hidden password, UTF-8, CR LF line layout", async () => {
    run = await startGame();
    term = await TmuxTerminal.start(tmux!, [telnet!, '127.0.0.1', String(run.port)]);
    const screen = await play(term, run, 'Telly');
    await term.waitFor('Connection closed by foreign host.');
    expect(screen.filter((l) => l.includes('Goodbye!'))).toEqual(['Goodbye! Come back soon.']);
    await checkLogs(run, 'Telly');
  });

  it.skipIf(!tmux || !tintin)('tintin++ plays: hidden password, UTF-8, line layout', async () => {
    run = await startGame();
    term = await TmuxTerminal.start(tmux!, [tintin!, '-G', '-e', `#session mud 127.0.0.1 ${run.port}`]);
    await play(term, run, 'Tinny');
    await term.waitFor("#SESSION 'mud' DIED.");
    await checkLogs(run, 'Tinny');
  });

  it.skipIf(!tmux || !tintin)('tintin++ builds with aliases: | as the separator, or ; escaped as \\; (the README says so)', async () => {
    run = await startGame();
    term = await TmuxTerminal.start(tmux!, [tintin!, '-G', '-e', `#session mud 127.0.0.1 ${run.port}`]);
    await term.waitFor(`Welcome to ${run.config.serverName}!`);
    await term.type(`create Tinbuild ${SECRET}`);
    await term.waitFor('Exits:');
    await term.type(`claim ${run.adminToken()}`);
    await term.waitFor('You are now the Developer');
    await term.type('@dig Tower|tw = up|u, down|d');
    await term.waitFor((lines) => lines.some((l) => l.includes('Created exit down')));
    await term.type('@dig Cellar\\;ce = below\\;bl, above\\;ab');
    await term.waitFor((lines) => lines.some((l) => l.includes('Created exit above')));
    const screen = (await term.screen()).join('\n');
    expect(screen).not.toContain('is not available');
    const aliases = (name: string) => run!.game.objects.search(name).map((o) => [o.key, ...o.aliases]);
    expect(aliases('Tower')).toEqual([['Tower', 'tw']]);
    expect(aliases('Cellar')).toEqual([['Cellar', 'ce']]);
    expect(aliases('below')).toEqual([['below', 'bl']]);
    await term.type('u');
    await term.waitFor((lines) => lines.some((l) => l.trim() === 'Tower'));
  });
});
