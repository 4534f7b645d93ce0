import { ConfigError, loadConfig, type GameConfig } from '../config.ts';
import { Game } from '../game.ts';
import { runningServerPid } from '../pid_file.ts';

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
 * shuts down so the database and the logs are flushed.
 */
export async function withGame(work: (game: Game, config: GameConfig) => Promise<number> | number, options: { refuseWhileRunning: boolean }): Promise<void> {
  const config = loadConfigOrDie();
  const pid = runningServerPid(config.dataDir);
  if (options.refuseWhileRunning && pid !== null) {
    die(`the server (pid ${pid}) is running on ${config.dataDir}; stop it first, or use the in-game command instead.`);
  }
  const game = new Game(config);
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
