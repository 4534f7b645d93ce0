import { ConfigError, loadConfig, type GameConfig } from '../config.ts';
import { Game } from '../game.ts';
import { DataDirInUseError } from '../pid_file.ts';

/** Exits with a one-line message, no stack trace: these tools are run by operators. */
export function die(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** The configuration from the environment; a bad setting is a usage error (exit 2), told in one line. */
export function loadConfigOrDie(): GameConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) die(error.message, 2);
    throw error;
  }
}

/**
 * Opens the game on the configured data dir for a shell tool (no listeners), runs `work`, then
 * shuts down so the database and the logs are flushed. Refused while a server runs on that data
 * dir (its lock tells, server/pid_file.ts): the server keeps the world in memory and would
 * overwrite the change, and this process would write false lines into its logs (a start, an
 * unclean-shutdown warning, a shutdown) and mark the running server stopped.
 */
export async function withGame(work: (game: Game, config: GameConfig) => Promise<number> | number): Promise<void> {
  const config = loadConfigOrDie();
  let game: Game;
  try {
    game = new Game(config);
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      die(`the server${error.pid ? ` (pid ${error.pid})` : ''} is running on ${config.dataDir}; stop it first, or use the in-game command instead.`);
    }
    throw error;
  }
  let code: number;
  try {
    code = await work(game, config);
  } finally {
    await game.shutdown('shell tool finished');
  }
  process.exit(code);
}

/** Reads a line from stdin without echoing it when stdin is a terminal. */
export function readSecret(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let answer = '';
    const tty = stdin.isTTY;
    if (tty) stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.off('data', onData);
          if (tty) stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          return resolve(answer);
        }
        if (ch === '\u0003') die('cancelled', 130);
        if (ch === '\u007f') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
