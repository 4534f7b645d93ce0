import WebSocket from 'ws';
import { decodeTelnetText } from './telnet_client.ts';
import { stripAnsi, TextClient } from './text_client.ts';
import { waitUntil } from './wait.ts';

export type MudSubprotocolName = 'telnet.mudstandards.org' | 'gmcp.mudstandards.org' | 'terminal.mudstandards.org';

export interface WsClientOptions {
  headers?: Record<string, string>;
  origin?: string;
}

/**
 * A real WebSocket client (the `ws` package) on the game's /ws endpoint. Its text is the game
 * text of the subprotocol (telnet: the data bytes of the binary frames; gmcp: the binary frames;
 * terminal: the text frames), without colour; every frame is kept as it came.
 */
export class TestWsClient extends TextClient {
  readonly frames: Array<{ binary: boolean; data: Buffer }> = [];
  /** gmcp.mudstandards.org: the GMCP messages (text frames), as sent. */
  readonly gmcp: string[] = [];
  closeCode: number | null = null;
  closeReason = '';

  private constructor(
    readonly ws: WebSocket,
    readonly subprotocol: MudSubprotocolName,
  ) {
    super();
    ws.on('message', (data, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      this.frames.push({ binary: isBinary, data: bytes });
      if (subprotocol === 'gmcp.mudstandards.org' && !isBinary) this.gmcp.push(bytes.toString('utf8'));
      this.received(this.decode());
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
      this.ended();
    });
    ws.on('error', () => {});
  }

  /** Everything received, raw: the telnet stream's bytes, or the frames' text. */
  get raw(): Buffer {
    return Buffer.concat(this.frames.filter((f) => this.subprotocol !== 'gmcp.mudstandards.org' || f.binary).map((f) => f.data));
  }

  private decode(): string {
    return stripAnsi(this.subprotocol === 'telnet.mudstandards.org' ? decodeTelnetText(this.raw) : this.raw.toString('utf8'));
  }

  protected override endReason(): string {
    return `closed (${this.closeCode} ${this.closeReason})`;
  }

  /**
   * Opens `url` asking for `protocols`; resolves once open, rejects with the refusal's status and
   * body (`400: This is the game's WebSocket endpoint…`).
   */
  static connect(url: string, protocols: string | string[], options: WsClientOptions = {}): Promise<TestWsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { headers: options.headers, origin: options.origin, perMessageDeflate: false });
      ws.once('open', () => resolve(new TestWsClient(ws, ws.protocol as MudSubprotocolName)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => reject(new Error(`${res.statusCode}: ${body.trim()}`)));
      });
      ws.once('error', reject);
    });
  }

  /** One line as the subprotocol carries it: a binary frame for telnet and gmcp, a text frame for terminal. */
  send(line: string): void {
    if (this.subprotocol === 'terminal.mudstandards.org') this.ws.send(line);
    else this.ws.send(Buffer.from(`${line}\r\n`, 'utf8'), { binary: true });
  }

  /** A frame exactly as given. */
  sendFrame(data: Buffer | string, binary = Buffer.isBuffer(data)): void {
    this.ws.send(data, { binary });
  }

  /** Waits for a GMCP message (text frame) that starts with `prefix`. */
  async waitForGmcp(prefix: string): Promise<string> {
    const found = () => this.gmcp.find((m) => m.startsWith(prefix));
    await waitUntil(() => found() !== undefined || this.closed, `GMCP ${prefix}`);
    const message = found();
    if (!message) throw new Error(`${this.endReason()} before GMCP ${prefix}; got: ${this.gmcp.join(' | ')}`);
    return message;
  }

  close(): void {
    this.ws.terminate();
  }
}
