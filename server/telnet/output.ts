/**
 * Output path: everything we send (game text, prompts, negotiation replies,
 * subnegotiations) goes through one OutputPipeline, so that
 *   1. one byte cap covers all of it: if the peer does not read and the bytes
 *      we hold exceed `maxOutputBuffer`, `onOverflow` fires and the caller
 *      drops the connection (a client that floods requests and never reads
 *      cannot grow our memory), and
 *   2. MCCP2 compression (https://tintin.mudhalla.net/protocols/mccp/) can be
 *      switched on and off without reordering bytes.
 *
 * MCCP2: after the client agrees (DO MCCP2) we send IAC SB MCCP2 IAC SE
 * uncompressed and everything after it goes through one zlib deflate stream.
 * Output is Z_SYNC_FLUSHed once per tick (coalescing the writes of one game
 * tick) so interactive text is not held back in zlib's window. Stopping
 * compression ends the stream with Z_FINISH, which the client sees as the end
 * of compressed data; bytes written meanwhile are held and sent, in order,
 * after the compressed stream has ended.
 */
import zlib from 'node:zlib';
import { mccp2Start } from './options/mccp2.ts';
import type { TelnetSocket } from './types.ts';

type HeldOp = Buffer | 'start' | 'stop';

export class OutputPipeline {
  private deflate: zlib.Deflate | null = null;
  /** A deflate stream that is finishing; output waits behind it. */
  private ending: zlib.Deflate | null = null;
  private held: HeldOp[] = [];
  private heldBytes = 0;
  private flushScheduled = false;
  private dead = false;
  /** While batching, raw writes are collected and handed to the socket as one write. */
  private batch: Buffer[] | null = null;
  private batchBytes = 0;
  private idleCallbacks: Array<() => void> = [];
  /** The socket is corked until the end of this event-loop turn. */
  private corked = false;

  constructor(
    private readonly socket: TelnetSocket,
    private readonly maxOutputBuffer: number,
    private readonly onOverflow: () => void,
    private readonly onError: (err: Error) => void,
  ) {}

  get compressing(): boolean {
    return this.deflate !== null;
  }

  /** Bytes accepted but not yet handed to the kernel. */
  get pendingBytes(): number {
    return (
      this.socket.writableLength +
      this.batchBytes +
      this.heldBytes +
      (this.deflate ? this.deflate.writableLength + this.deflate.readableLength : 0) +
      (this.ending ? this.ending.writableLength + this.ending.readableLength : 0)
    );
  }

  /**
   * Run `fn` with raw writes coalesced into one socket.write. Used around the
   * processing of one input chunk: a chunk holding thousands of negotiation
   * requests then costs one write, not thousands of 3-byte ones.
   */
  batched(fn: () => void): void {
    if (this.batch) {
      fn();
      return;
    }
    this.batch = [];
    try {
      fn();
    } finally {
      const parts = this.batch;
      this.batch = null;
      this.batchBytes = 0;
      if (!this.dead && parts.length > 0 && !this.socket.destroyed && this.socket.writable) {
        this.socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      }
      this.runIdleCallbacks();
    }
  }

  write(buf: Buffer): void {
    if (this.dead || buf.length === 0) return;
    if (this.ending) {
      this.held.push(buf);
      this.heldBytes += buf.length;
    } else {
      this.emit(buf);
    }
    this.checkOverflow();
  }

  /** Send IAC SB MCCP2 IAC SE and compress everything after it. */
  startCompression(): void {
    if (this.dead) return;
    if (this.ending) {
      this.held.push('start');
      return;
    }
    if (this.deflate) return;
    this.rawWrite(mccp2Start());
    // zlib deflate state costs (1 << (windowBits + 2)) + (1 << (memLevel + 9))
    // bytes: the defaults (15, 8) are 256 KiB per player; (13, 7) is 96 KiB
    // and still compresses MUD text well. Any inflater accepts a smaller window.
    const d = zlib.createDeflate({ windowBits: 13, memLevel: 7 });
    d.on('data', (chunk: Buffer) => this.rawWrite(chunk));
    d.on('error', (err) => this.fail(err));
    this.deflate = d;
  }

  /** End the compressed stream cleanly (Z_FINISH); later output is plain. */
  stopCompression(): void {
    if (this.dead) return;
    if (this.ending) {
      this.held.push('stop');
      return;
    }
    const d = this.deflate;
    if (!d) return;
    this.deflate = null;
    this.ending = d;
    d.once('end', () => {
      if (this.ending === d) this.ending = null;
      this.drainHeld();
    });
    d.end();
  }

  /** Call `cb` once everything written so far has been handed to the socket. */
  whenIdle(cb: () => void): void {
    if (this.dead) return;
    this.idleCallbacks.push(cb);
    this.runIdleCallbacks();
  }

  /** Drop everything (connection is going away). */
  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    this.held = [];
    this.heldBytes = 0;
    this.batch = this.batch ? [] : null;
    this.batchBytes = 0;
    this.idleCallbacks = [];
    for (const d of [this.deflate, this.ending]) {
      if (d) {
        d.removeAllListeners('data');
        d.on('error', () => {});
        d.destroy();
      }
    }
    this.deflate = null;
    this.ending = null;
  }

  private emit(buf: Buffer): void {
    const d = this.deflate;
    if (!d) {
      this.rawWrite(buf);
      return;
    }
    d.write(buf);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => {
        this.flushScheduled = false;
        // Skip if this stream was ended meanwhile: Z_FINISH flushes anyway.
        if (this.deflate === d && !this.dead) d.flush(zlib.constants.Z_SYNC_FLUSH);
      });
    }
  }

  private rawWrite(buf: Buffer): void {
    if (this.dead || this.socket.destroyed || !this.socket.writable) return;
    if (this.batch) {
      this.batch.push(buf);
      this.batchBytes += buf.length;
    } else {
      this.corkForThisTurn();
      this.socket.write(buf);
    }
    this.checkOverflow();
  }

  /**
   * Everything written to this socket in one event-loop turn goes out as one writev: a say in
   * a crowded room reaches each listener with one syscall, not one per line (the bench measured
   * 36 write syscalls per command before, under 4 after).
   */
  private corkForThisTurn(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  private drainHeld(): void {
    // Index walk + one splice: shift() per op would be quadratic when a
    // flood queued many small replies behind a finishing stream.
    const held = this.held;
    let i = 0;
    while (!this.dead && !this.ending && i < held.length) {
      const op = held[i++]!;
      if (op === 'start') this.startCompression();
      else if (op === 'stop') this.stopCompression();
      else {
        this.heldBytes -= op.length;
        this.emit(op);
      }
    }
    if (this.dead) return;
    held.splice(0, i);
    this.runIdleCallbacks();
  }

  /** Idle = nothing held behind a finishing stream and no open batch. */
  private runIdleCallbacks(): void {
    if (this.dead || this.ending || this.batch || this.held.length > 0 || this.idleCallbacks.length === 0) return;
    const cbs = this.idleCallbacks;
    this.idleCallbacks = [];
    for (const cb of cbs) cb();
  }

  private checkOverflow(): void {
    if (!this.dead && this.pendingBytes > this.maxOutputBuffer) {
      this.destroy();
      this.onOverflow();
    }
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.destroy();
    this.onError(err);
  }
}
