import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp_dir.ts';
import { until } from './wait.ts';

const run = promisify(execFile);
let counter = 0;

/**
 * A real terminal program (telnet, tt++) running in a detached tmux session on a private tmux
 * server (`-L <unique socket>`), so a test can type into it and read its screen as a player
 * would see it. Always `kill()` it (afterEach).
 */
export class TmuxTerminal {
  private constructor(
    private readonly tmux: string,
    readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly home: string,
  ) {}

  /**
   * Starts `argv` in a fixed-size UTF-8 terminal. The pane stays after the program exits
   * (remain-on-exit), so what it printed last can still be read. HOME is a fresh temp dir, so
   * no ~/.telnetrc or ~/.tintin of whoever runs the tests is read.
   */
  static async start(tmux: string, argv: readonly string[], size = { width: 160, height: 60 }): Promise<TmuxTerminal> {
    const socket = `mudtest-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
    const home = tempDir('mud-tmux-home-');
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    delete env.TMUX;
    delete env.TMUX_PANE;
    const term = new TmuxTerminal(tmux, socket, env, home);
    const command = argv.map(shellQuote).join(' ');
    await term.tmuxCmd(
      'new-session', '-d', '-x', String(size.width), '-y', String(size.height), '-s', 'mud', command,
      ';', 'set-option', '-t', 'mud', 'remain-on-exit', 'on',
    );
    return term;
  }

  /** Types `text` literally (UTF-8 included), then presses Enter unless told not to. */
  async type(text: string, { enter = true } = {}): Promise<void> {
    if (text) await this.tmuxCmd('send-keys', '-t', 'mud', '-l', '--', text);
    if (enter) await this.tmuxCmd('send-keys', '-t', 'mud', 'Enter');
  }

  /** The visible screen (plus scrollback), one string per row, trailing blanks trimmed by tmux. */
  async screen(): Promise<string[]> {
    const { stdout } = await this.tmuxCmd('capture-pane', '-p', '-t', 'mud', '-S', '-');
    return stdout.replace(/\n+$/, '').split('\n');
  }

  /**
   * Polls the screen until `wanted` (a substring or a test on the whole screen) is there, and
   * returns the screen. Bounded by a deadline; throws with the last screen on failure.
   */
  async waitFor(wanted: string | ((lines: string[]) => boolean), timeoutMs = 10_000): Promise<string[]> {
    const ok = typeof wanted === 'string' ? (lines: string[]) => lines.join('\n').includes(wanted) : wanted;
    let lines: string[] = [];
    if (await until(async () => ok((lines = await this.screen())), timeoutMs, 50)) return lines;
    throw new Error(`screen never showed ${typeof wanted === 'string' ? JSON.stringify(wanted) : wanted.toString()}; it shows:\n${lines.join('\n')}`);
  }

  /** Kills the private tmux server and with it the client program. Idempotent. */
  async kill(): Promise<void> {
    await this.tmuxCmd('kill-server').catch(() => {});
    fs.rmSync(this.home, { recursive: true, force: true });
    // tmux can leave its socket file behind: /tmp/tmux-<uid>/<name> (TMUX_TMPDIR, not TMPDIR).
    const dir = path.join(this.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`);
    fs.rmSync(path.join(dir, this.socket), { force: true });
  }

  private tmuxCmd(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(this.tmux, ['-L', this.socket, '-f', '/dev/null', ...args], { env: this.env, encoding: 'utf8', timeout: 10_000 });
  }
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
