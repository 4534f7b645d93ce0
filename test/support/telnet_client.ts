import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { stripAnsi, TextClient } from './text_client.ts';

const IAC = 0xff;
const SB = 0xfa;
const SE = 0xf0;
const WILL = 0xfb;
const DO = 0xfd;
const MCCP2 = 86;
const WILL_MCCP2 = Buffer.from([IAC, WILL, MCCP2]);
const MCCP2_START = Buffer.from([IAC, SB, MCCP2, IAC, SE]);

export { stripAnsi };

/**
 * A real TCP client that speaks just enough telnet for tests: it tells its window size (NAWS)
 * and answers no other negotiation (as a dumb client would), strips IAC sequences from what it
 * shows, and keeps the raw bytes too.
 * With `mccp`, it agrees to MCCP2 as MUD clients do and inflates the stream as it comes, one
 * zlib stream for the connection's life: a break in it (a second stream start, a bad byte) is
 * `mccpError`, and what follows is lost, as it would be for a real client.
 */
export class TestTelnetClient extends TextClient {
  /** The telnet stream received so far (inflated, for an MCCP2 client). */
  raw = Buffer.alloc(0);
  /** Bytes as they came off the socket (compressed, for an MCCP2 client). */
  wire = Buffer.alloc(0);
  wireBytes = 0;
  /** Bytes that arrived inside the MCCP2 stream. */
  compressedBytes = 0;
  mccpError: Error | null = null;
  private inflater: zlib.Inflate | null = null;
  private plain = Buffer.alloc(0);

  private constructor(
    readonly socket: net.Socket,
    private readonly mccp: boolean,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => {
      this.wireBytes += chunk.length;
      this.wire = Buffer.concat([this.wire, chunk]);
      if (this.mccp) this.receiveMccp(chunk);
      else this.append(chunk);
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
  static connect(port: number, host = '127.0.0.1', localAddress?: string, options: { mccp?: boolean; width?: number | null } = {}): Promise<TestTelnetClient> {
    const width = options.width === undefined ? TEST_CLIENT_WIDTH : options.width;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, localAddress }, () => {
        if (width !== null) socket.write(nawsBytes(width, 60));
        resolve(new TestTelnetClient(socket, options.mccp ?? false));
      });
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
      const { host = '127.0.0.1', localAddress, mccp = false } = options;
      const raw = options.socket ?? net.connect({ port, host, localAddress });
      raw.once('error', reject);
      const socket = tls.connect({ socket: raw, rejectUnauthorized: false }, () => resolve(new TestTelnetClient(socket, mccp)));
      socket.once('error', reject);
    });
  }

  /** The SHA-256 fingerprint of the certificate a TLS server showed (AB:CD:…). */
  get peerFingerprint(): string | null {
    return this.socket instanceof tls.TLSSocket ? (this.socket.getPeerX509Certificate()?.fingerprint256 ?? null) : null;
  }

  /** True once output is arriving compressed. */
  get compressing(): boolean {
    return this.inflater !== null;
  }

  private append(bytes: Buffer): void {
    this.raw = Buffer.concat([this.raw, bytes]);
    this.received(stripAnsi(decodeTelnetText(this.raw)));
  }

  private receiveMccp(chunk: Buffer): void {
    if (this.inflater) {
      this.compressedBytes += chunk.length;
      this.inflater.write(chunk);
      return;
    }
    // Before the stream starts: plain telnet, where the offer and the start marker may be split.
    const before = this.plain.length;
    this.plain = Buffer.concat([this.plain, chunk]);
    if (this.plain.indexOf(WILL_MCCP2, Math.max(0, before - 2)) >= 0) this.socket.write(Buffer.from([IAC, DO, MCCP2]));
    const at = this.plain.indexOf(MCCP2_START, Math.max(0, before - MCCP2_START.length));
    if (at < 0) return this.append(chunk);
    const end = at + MCCP2_START.length;
    this.append(this.plain.subarray(before, end));
    this.inflater = zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    this.inflater.on('data', (bytes: Buffer) => this.append(bytes));
    this.inflater.on('error', (error) => (this.mccpError = error));
    const rest = this.plain.subarray(end);
    this.plain = Buffer.alloc(0);
    if (rest.length) this.receiveMccp(rest);
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
