import net from 'node:net';
import tls from 'node:tls';
import { decodeMccp } from '../telnet/harness.ts';
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

  /** `mccp`: the client agrees to MCCP2 (IAC DO MCCP2) and inflates what it receives. */
  private constructor(
    readonly socket: net.Socket,
    readonly mccp = false,
  ) {
    super();
    socket.on('data', (chunk) => {
      this.raw = Buffer.concat([this.raw, chunk]);
      this.received(stripAnsi(decodeTelnetText(mccp ? decodeMccp(this.raw) : this.raw)));
    });
    if (mccp) socket.write(Buffer.from([IAC, 0xfd, 86]));
    socket.on('close', () => this.ended());
    socket.on('error', () => {});
  }

  /** `localAddress` (another loopback address, 127.0.0.2…) makes it a client from elsewhere. */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<TestTelnetClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, localAddress }, () => resolve(new TestTelnetClient(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * Over TLS (the telnet+tls port), trusting the certificate it is shown (self-signed in the
   * tests; its fingerprint is `peerFingerprint`). `socket`: an open connection to wrap (one
   * that has already sent a PROXY header).
   */
  static connectTls(port: number, options: { host?: string; localAddress?: string; mccp?: boolean; socket?: net.Socket } = {}): Promise<TestTelnetClient> {
    return new Promise((resolve, reject) => {
      const { host = '127.0.0.1', localAddress, mccp } = options;
      const raw = options.socket ?? net.connect({ port, host, localAddress });
      raw.once('error', reject);
      const socket = tls.connect({ socket: raw, rejectUnauthorized: false }, () => resolve(new TestTelnetClient(socket, mccp)));
      socket.once('error', reject);
    });
  }

  /** A plain connection with the MCCP2 client side on. */
  static connectMccp(port: number, host = '127.0.0.1'): Promise<TestTelnetClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new TestTelnetClient(socket, true)));
      socket.once('error', reject);
    });
  }

  /** The SHA-256 fingerprint of the certificate a TLS server showed (AB:CD:…). */
  get peerFingerprint(): string | null {
    return this.socket instanceof tls.TLSSocket ? (this.socket.getPeerX509Certificate()?.fingerprint256 ?? null) : null;
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
