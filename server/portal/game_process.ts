/**
 * One game process as the portal sees it: spawned on the code now on disk (server/game_main.ts)
 * with the link on fd 4 (a Unix socketpair: no Nagle, no socket file). Its stderr passes through and its tail is kept, so a
 * game that dies while loading can be reported with its own words.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import path from 'node:path';
import { LinkChannel } from '../link/channel.ts';
import type { GameToPortal, PortalToGame } from '../link/protocol.ts';

/** game_main beside this module, as .ts under tsx or .js in a build (npm run build). */
export const GAME_ENTRY = path.resolve(import.meta.dirname, `../game_main${path.extname(import.meta.filename)}`);
const STDERR_TAIL = 4096;

export interface GameProcessEvents {
  message: [message: GameToPortal];
  exit: [how: string];
}

export class GameProcess extends EventEmitter<GameProcessEvents> {
  readonly child: ChildProcess;
  readonly channel: LinkChannel<GameToPortal, PortalToGame>;
  readonly startedAt = Date.now();
  /** The portal asked it to go (handover, stop): its exit is not a crash. */
  leaving = false;
  exited = false;
  private stderrTail = '';

  constructor(env: NodeJS.ProcessEnv = process.env) {
    super();
    // The same Node and loader flags as the portal (tsx in development, none in a build).
    this.child = spawn(process.execPath, [...process.execArgv, GAME_ENTRY], {
      env,
      // fd 3 unused (it carried web connections' descriptors once); the link stays on fd 4.
      stdio: ['ignore', 'inherit', 'pipe', 'ignore', 'pipe'],
    });
    this.channel = new LinkChannel(this.child.stdio[4] as net.Socket);
    this.channel.on('message', (message) => this.emit('message', message));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.child.on('error', (error) => (this.stderrTail += `\n${error.message}`));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.emit('exit', signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** What it last wrote to stderr: the reason, when it died before it could say. */
  get lastWords(): string {
    return this.stderrTail.trim();
  }

  send(message: PortalToGame): void {
    this.channel.send(message);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal);
  }

  /** Resolves when it has exited (at once if it already has). */
  whenExited(): Promise<void> {
    return this.exited ? Promise.resolve() : new Promise((resolve) => this.once('exit', () => resolve()));
  }
}
