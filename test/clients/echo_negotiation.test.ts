/**
 * The ECHO negotiation as Debian's telnet answers it, replayed over a raw socket, so the
 * regression is covered where tmux and telnet are not installed. That client answers every
 * WILL/WONT ECHO that changes its state (DO/DONT). Between the two password prompts the game
 * sends WONT ECHO then WILL ECHO back to back; the client answers DONT ECHO, DO ECHO. The server
 * used to take the DONT as a refusal of its WILL and then refuse the DO with WONT ECHO, so the
 * client echoed the confirmation password on screen.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGame, type RunningGame } from '../support/game.ts';
import { decodeTelnetText } from '../support/telnet_client.ts';

const IAC = 255, WILL = 251, WONT = 252, DO = 253, DONT = 254, ECHO = 1;
/**
 * Sync points: the server refuses `IAC DO x` for an option it does not know with `IAC WONT x`,
 * once per option, after handling everything sent before it. Options from 100 up are unknown.
 */
const FIRST_PING_OPT = 100;

/** Plays the part of inetutils telnet for ECHO only; refuses nothing else (answers nothing). */
class EchoTrackingClient {
  raw = Buffer.alloc(0);
  private scanned = 0;
  /** True while the server echoes (the client hides what is typed). */
  serverEchoes = false;
  echoCommands: string[] = [];
  readonly refused = new Set<number>();
  private nextPing = FIRST_PING_OPT;
  private wake: (() => void) | null = null;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.raw = Buffer.concat([this.raw, chunk]);
      this.scan();
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  private scan(): void {
    const b = this.raw;
    let i = this.scanned;
    while (i < b.length) {
      if (b[i] !== IAC) {
        i++;
        continue;
      }
      if (i + 1 >= b.length) break; // incomplete: wait for more
      const cmd = b[i + 1]!;
      if (cmd < WILL) {
        i += 2; // IAC IAC, IAC SB/SE, IAC GA/EOR...: inside SB an IAC is doubled, so no false WILL
        continue;
      }
      if (i + 2 >= b.length) break;
      this.negotiation(cmd, b[i + 2]!);
      i += 3;
    }
    this.scanned = i;
  }

  private negotiation(cmd: number, opt: number): void {
    if (opt === ECHO && (cmd === WILL || cmd === WONT)) {
      this.echoCommands.push(cmd === WILL ? 'WILL' : 'WONT');
      if (cmd === WILL && !this.serverEchoes) {
        this.serverEchoes = true;
        this.socket.write(Buffer.from([IAC, DO, ECHO]));
      } else if (cmd === WONT && this.serverEchoes) {
        this.serverEchoes = false;
        this.socket.write(Buffer.from([IAC, DONT, ECHO]));
      }
    }
    if (cmd === WONT && opt >= FIRST_PING_OPT) this.refused.add(opt);
  }

  get text(): string {
    return decodeTelnetText(this.raw);
  }

  async until(test: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    for (let n = 0; n < 10_000 && !test(); n++) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got:\n${this.text}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (!test()) throw new Error(`gave up waiting for ${what}`);
  }

  /** Resolves once the server has handled everything sent so far (and answered it). */
  async sync(): Promise<void> {
    const opt = this.nextPing++;
    this.socket.write(Buffer.from([IAC, DO, opt]));
    await this.until(() => this.refused.has(opt), `the sync ping (IAC WONT ${opt})`);
  }
}

describe('password prompts with a client that answers ECHO negotiation', () => {
  let run: RunningGame | undefined;
  afterEach(async () => {
    await run?.stop();
    run = undefined;
  });

  it('keeps echo off through both prompts of create, and turns it back on after', async () => {
    run = await startGame();
    const socket = net.connect(run.port, '127.0.0.1');
    const client = new EchoTrackingClient(socket);
    try {
      await client.until(() => client.text.includes('Welcome to'), 'the banner');
      socket.write('create Echoer\r\n');
      await client.until(() => client.text.includes('Password: '), 'Password:');
      await client.sync(); // DO ECHO answered
      expect(client.serverEchoes).toBe(true);
      socket.write('Hidden-Pw-1234\r\n');
      await client.until(() => client.text.includes('Confirm password: '), 'Confirm password:');
      await client.sync(); // any reply to our negotiation sent
      expect(client.serverEchoes).toBe(true);
      // Echo stays off from one question to the next: no WONT between them (a client would
      // otherwise show whatever was typed in that gap), at most a repeated WILL.
      expect(client.echoCommands[0]).toBe('WILL');
      expect(client.echoCommands.every((c) => c === 'WILL')).toBe(true);
      const before = client.echoCommands.length;
      socket.write('Hidden-Pw-1234\r\n');
      await client.until(() => client.text.includes('You become Echoer.'), 'the login');
      await client.sync();
      expect(client.serverEchoes).toBe(false);
      expect(client.echoCommands.slice(before)).toEqual(['WONT']);
    } finally {
      socket.destroy();
    }
  });
});
