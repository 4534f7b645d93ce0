import net from 'node:net';
import { stripAnsi, TextClient } from './text_client.ts';

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;

export { stripAnsi };

/**
 * A real TCP client that speaks just enough telnet for tests: it tells its window size (NAWS)
 * and answers no other negotiation (as a dumb client would), strips IAC sequences from what it
 * shows, and keeps the raw bytes too.
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

  /**
   * `localAddress` (another loopback address, 127.0.0.2…) makes it a client from elsewhere.
   * Like a terminal client in a wide window, it tells its width at once (NAWS, the only option
   * it offers): the game wraps at the width, and most tests are about what is said, not where
   * its lines break. `width: null` is a client that never tells (the game wraps at 80).
   */
  static connect(port: number, host = '127.0.0.1', localAddress?: string, options: { width?: number | null } = {}): Promise<TestTelnetClient> {
    const width = options.width === undefined ? TEST_CLIENT_WIDTH : options.width;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, localAddress }, () => {
        if (width !== null) socket.write(nawsBytes(width, 60));
        resolve(new TestTelnetClient(socket));
      });
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

/** The width the tests' clients report unless told otherwise: a wide window. */
export const TEST_CLIENT_WIDTH = 250;

/** IAC WILL NAWS, then the window size (RFC 1073: 16-bit big-endian width and height). */
export function nawsBytes(width: number, height: number): Buffer {
  return Buffer.from([IAC, 251, 31, IAC, SB, 31, width >> 8, width & 0xff, height >> 8, height & 0xff, IAC, SE]);
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
