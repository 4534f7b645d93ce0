/**
 * A player for the fault tests: logs in over real telnet and plays a closed loop (send a command,
 * wait for its reply, repeat), keeping track of what the server acknowledged. It walks between
 * Limbo and Courtyard (a move is acknowledged when the destination's description with its
 * `Exits:` line arrives) and, if asked, says unique markers (acknowledged by `You say, "<marker>"`).
 */
import { PASSWORD } from './game.ts';
import { TestTelnetClient } from './telnet_client.ts';

const OTHER_ROOM: Record<string, [string, string]> = {
  Limbo: ['north', 'Courtyard'],
  Courtyard: ['south', 'Limbo'],
};

/** Generous: the machine running the tests may be busy; this is no timing assertion. */
const REPLY_TIMEOUT_MS = 15_000;

/** The description of `room` as a reply: its name line (at the start of a line, or after the game's `> ` prompt), its one-line desc, its exits line. */
export const roomReply = (room: string): RegExp => new RegExp(`(?:^|\\n)(?:> )?${room}\\n[^\\n]*\\nExits: [^\\n]*\\n`);

export class Walker {
  /** Commands written to the socket (character commands only). */
  sent = 0;
  /** Commands whose reply arrived. */
  acked = 0;
  ackedMoves = 0;
  /** Where the last acknowledged move (or the login) put us. */
  room = 'Limbo';
  /** The destination of a move sent but not acknowledged (in flight when the loop ended). */
  pending: string | null = null;
  readonly ackedSays: string[] = [];
  /** Why the loop ended, if not because it was told to stop. */
  error: Error | null = null;

  private constructor(
    readonly name: string,
    readonly client: TestTelnetClient,
  ) {}

  /** Connects and creates (or logs in to) the account, waiting for the room description. */
  static async login(port: number, name: string, mode: 'create' | 'connect' = 'create'): Promise<Walker> {
    const client = await TestTelnetClient.connect(port);
    await client.waitFor('Welcome to', 10_000);
    client.send(`${mode} ${name} ${PASSWORD}`);
    const text = await client.waitFor(new RegExp(`You become ${name}\\.[\\s\\S]*?Exits: [^\\n]*\\n`), 15_000);
    const walker = new Walker(name, client);
    walker.room = /You become \w+\.\n+([^\n]+)\n/.exec(text)?.[1]?.trim() ?? 'Limbo';
    return walker;
  }

  /** One move to the other room, acknowledged by its description. */
  async move(): Promise<void> {
    const [exit, destination] = OTHER_ROOM[this.room] ?? ['north', 'Courtyard'];
    this.pending = destination;
    this.sent++;
    this.client.send(exit);
    await this.client.waitFor(roomReply(destination), REPLY_TIMEOUT_MS);
    this.room = destination;
    this.pending = null;
    this.acked++;
    this.ackedMoves++;
  }

  async say(marker: string): Promise<void> {
    this.sent++;
    this.client.send(`say ${marker}`);
    await this.client.waitFor(`You say, "${marker}"`, REPLY_TIMEOUT_MS);
    this.ackedSays.push(marker);
    this.acked++;
  }

  /**
   * Plays until `stop()` says so (or `maxCommands`, or the connection fails). With `says`, every
   * other command is a `say <name>-<n>` marker. Never throws: a failure ends the loop in `error`.
   */
  async play(stop: () => boolean, { maxCommands = 2000, says = false } = {}): Promise<void> {
    try {
      for (let i = 0; i < maxCommands && !stop(); i++) {
        if (says && i % 2 === 1) await this.say(`${this.name}-${i}`);
        else await this.move();
      }
    } catch (error) {
      this.error = error as Error;
    }
  }

  close(): void {
    this.client.close();
  }
}
