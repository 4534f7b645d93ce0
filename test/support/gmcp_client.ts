/**
 * A telnet client that agrees to GMCP and reads and writes its messages, as Mudlet does: the
 * moment GMCP is agreed it sends Core.Supports.Set with its module list.
 */
import { expect } from 'vitest';
import type { TestTelnetClient } from './telnet_client.ts';
import { PATIENCE_MS } from './wait.ts';

const IAC = 0xff;
const DO = 0xfd;
const SB = 0xfa;
const SE = 0xf0;
const GMCP = 201;

/** What Mudlet sends the moment GMCP is agreed (its default Core.Supports.Set). */
export const MUDLET_SUPPORTS = ['Char 1', 'Char.Skills 1', 'Char.Items 1', 'Room 1', 'IRE.Rift 1', 'IRE.Composer 1', 'External.Discord 1', 'Client.Media 1', 'Char.Login 1'];

export interface GmcpMessage {
  pkg: string;
  data: any;
}

export class GmcpClient {
  constructor(readonly telnet: TestTelnetClient) {}

  /** Agrees to GMCP on `telnet` and, unless `supports` is null, sends Core.Supports.Set. */
  static start(telnet: TestTelnetClient, supports: readonly string[] | null = MUDLET_SUPPORTS): GmcpClient {
    const client = new GmcpClient(telnet);
    telnet.sendRaw(Buffer.from([IAC, DO, GMCP]));
    if (supports) client.send('Core.Supports.Set', supports);
    return client;
  }

  send(pkg: string, data?: unknown): void {
    const text = data === undefined ? pkg : `${pkg} ${JSON.stringify(data)}`;
    this.sendText(text);
  }

  sendText(text: string): void {
    this.telnet.sendRaw(Buffer.concat([Buffer.from([IAC, SB, GMCP]), Buffer.from(text, 'utf8'), Buffer.from([IAC, SE])]));
  }

  /** Every GMCP message received so far, in order. */
  get messages(): GmcpMessage[] {
    const raw = this.telnet.raw;
    const found: GmcpMessage[] = [];
    for (let i = 0; i < raw.length - 2; i++) {
      if (raw[i] !== IAC || raw[i + 1] !== SB || raw[i + 2] !== GMCP) continue;
      const end = raw.indexOf(Buffer.from([IAC, SE]), i + 3);
      if (end < 0) break;
      const text = raw.subarray(i + 3, end).toString('utf8');
      const sp = text.indexOf(' ');
      found.push(sp < 0 ? { pkg: text, data: undefined } : { pkg: text.slice(0, sp), data: JSON.parse(text.slice(sp + 1)) });
      i = end + 1;
    }
    return found;
  }

  of(pkg: string): any[] {
    return this.messages.filter((m) => m.pkg === pkg).map((m) => m.data);
  }

  /** The `after`-th message of `pkg` (by default the next one), once it has arrived. */
  async next(pkg: string, after = this.of(pkg).length, timeout = PATIENCE_MS): Promise<any> {
    await expect.poll(() => this.of(pkg).length, { timeout }).toBeGreaterThan(after);
    return this.of(pkg)[after];
  }
}
