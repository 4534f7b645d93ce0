/**
 * Test harness: a loopback server wrapping each socket in TelnetConnection
 * and echoing lines as "got: <line>\n", plus a byte-level test client.
 */
import net from 'node:net';
import zlib from 'node:zlib';
import { TelnetConnection, type TelnetConnectionOptions } from '../../server/telnet/index.ts';

export interface HarnessOptions extends TelnetConnectionOptions {
  /** Call conn.start() on accept (default true). */
  autoStart?: boolean;
  /** Echo lines back as "got: <line>\n" (default true). */
  echo?: boolean;
}

export interface Harness {
  port: number;
  server: net.Server;
  /** Connections not yet closed. */
  live: Set<TelnetConnection>;
  /** Close reasons, in order. */
  closeReasons: string[];
  /** Next accepted connection (in accept order). */
  next(): Promise<TelnetConnection>;
  /** Open sockets according to the server itself. */
  openSockets(): Promise<number>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { autoStart = true, echo = true, ...connOptions } = options;
  const live = new Set<TelnetConnection>();
  const closeReasons: string[] = [];
  const queue: TelnetConnection[] = [];
  const waiters: Array<(c: TelnetConnection) => void> = [];

  const server = net.createServer((socket) => {
    const conn = new TelnetConnection(socket, connOptions);
    live.add(conn);
    conn.on('close', (reason) => {
      live.delete(conn);
      closeReasons.push(reason);
    });
    if (echo) conn.on('line', (line) => conn.write(`got: ${line}\n`));
    if (autoStart) conn.start();
    const w = waiters.shift();
    if (w) w(conn);
    else queue.push(conn);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    server,
    live,
    closeReasons,
    next: () =>
      new Promise((resolve) => {
        const c = queue.shift();
        if (c) resolve(c);
        else waiters.push(resolve);
      }),
    openSockets: () =>
      new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    stop: async () => {
      for (const c of live) c.close('harness stop');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const MCCP2_START = Buffer.from([255, 250, 86, 255, 240]);

/** Undo MCCP2: plain bytes, then inflate after each IAC SB MCCP2 IAC SE until the stream ends. */
export function decodeMccp(raw: Buffer): Buffer {
  const at = raw.indexOf(MCCP2_START);
  if (at === -1) return raw;
  const head = raw.subarray(0, at + MCCP2_START.length);
  const rest = raw.subarray(at + MCCP2_START.length);
  if (rest.length === 0) return head;
  const r = zlib.inflateSync(rest, { info: true, finishFlush: zlib.constants.Z_SYNC_FLUSH }) as unknown as {
    buffer: Buffer;
    engine: { bytesWritten: number };
  };
  const used = r.engine.bytesWritten;
  const tail = used < rest.length ? decodeMccp(rest.subarray(used)) : Buffer.alloc(0);
  return Buffer.concat([head, r.buffer, tail]);
}

export class TestClient {
  readonly socket: net.Socket;
  /** Every byte received, as sent on the wire. */
  raw: Buffer = Buffer.alloc(0);
  /** Offset into the (decoded) stream that take()/sync() have consumed. */
  private consumed = 0;
  private listeners: Array<() => void> = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private seq = 0;

  private constructor(socket: net.Socket, readonly mccp: boolean) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.raw = Buffer.concat([this.raw, d]);
      this.poke();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.poke();
        resolve();
      });
    });
  }

  static connect(port: number, opts: { mccp?: boolean } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new TestClient(s, opts.mccp ?? false)));
      s.once('error', reject);
    });
  }

  /** Received bytes, MCCP2-decoded if this client speaks MCCP2. */
  get data(): Buffer {
    return this.mccp ? decodeMccp(this.raw) : this.raw;
  }

  /** Unconsumed received bytes. */
  get pending(): Buffer {
    return this.data.subarray(this.consumed);
  }

  send(data: Buffer | string | number[]): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
  }

  private poke(): void {
    for (const l of this.listeners.slice()) l();
  }

  /** Resolve once `pred(pending)` holds; reject after timeoutMs (a hang guard, not a speed check). */
  waitFor(pred: (pending: Buffer) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred(this.pending)) {
          done();
          resolve();
        } else if (this.isClosed) {
          done();
          reject(new Error(`connection closed while waiting for ${what}; pending=${JSON.stringify(this.pending.toString('latin1'))}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; pending=${JSON.stringify(this.pending.toString('latin1'))}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      this.listeners.push(check);
      check();
    });
  }

  waitForBytes(bytes: Buffer | string | number[], timeoutMs?: number): Promise<void> {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    return this.waitFor((p) => p.includes(b), JSON.stringify(b.toString('latin1')), timeoutMs);
  }

  /** Consume and return everything up to and including `bytes`. */
  async takeThrough(bytes: Buffer | string | number[]): Promise<Buffer> {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    await this.waitForBytes(b);
    const p = this.pending;
    const end = p.indexOf(b) + b.length;
    this.consumed += end;
    return Buffer.from(p.subarray(0, end));
  }

  /**
   * Round trip: send a marker line and wait for its echo. Returns the bytes
   * the server sent before the echo (i.e. everything it sent in response to
   * what we sent earlier), consuming them and the echo.
   */
  async sync(): Promise<Buffer> {
    const marker = `sync-${++this.seq}`;
    this.send(`${marker}\r\n`);
    const echo = `got: ${marker}\r\n`;
    const all = await this.takeThrough(echo);
    return all.subarray(0, all.length - Buffer.byteLength(echo));
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Build byte arrays from mixed numbers and strings. */
export function bytes(...parts: Array<number | string | number[] | Buffer>): Buffer {
  return Buffer.concat(
    parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );
}
