import net from 'node:net';
import { stripAnsi, TextClient } from './text_client.ts';

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;

export { stripAnsi };

/**
 * A real TCP client that speaks just enough telnet for tests: it answers no negotiation (as a
 * dumb client would), strips IAC sequences from what it shows, and keeps the raw bytes too.
 */
export class TestTelnetClient extends TextClient {
  raw = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    super();
    socket.on('data', (chunk) => {
      this.raw = Buffer.concat([this.raw, chunk]);
      this.received(stripAnsi(decodeTelnetText(this.raw)));
    });
    socket.on('close', () => this.ended());
    socket.on('error', () => {});
  }

  /** `from` picks the local address (any of 127.0.0.0/8 on Linux): another client address on loopback. */
  static connect(port: number, host = '127.0.0.1', from?: string): Promise<TestTelnetClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(from ? { localAddress: from } : {}) }, () => resolve(new TestTelnetClient(socket)));
      socket.once('error', reject);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  sendRaw(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Decodes the data bytes of a telnet stream (drops commands and subnegotiations). */
export function decodeTelnetText(bytes: Buffer): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== IAC) {
      out.push(b);
      continue;
    }
    const cmd = bytes[i + 1];
    if (cmd === undefined) break;
    if (cmd === IAC) {
      out.push(IAC);
      i++;
    } else if (cmd === SB) {
      let j = i + 2;
      while (j < bytes.length && !(bytes[j] === IAC && bytes[j + 1] === SE)) j += bytes[j] === IAC ? 2 : 1;
      i = j + 1;
    } else if (cmd >= 0xfb && cmd <= 0xfe) i += 2;
    else i++;
  }
  return Buffer.from(out).toString('utf8').replace(/\r\n/g, '\n').replace(/\r\0/g, '\r');
}
