/**
 * One end of the portal↔game link: framed messages over a Unix stream socket, batched so that
 * each event-loop turn costs one write, however many sessions spoke in it. (Evennia's AMP hop
 * paid a Nagle stall per command; a Unix socket has no Nagle, and one write per turn keeps the
 * syscall count flat under load.)
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { FrameError, FrameReader, FrameWriter } from './frames.ts';

export interface LinkChannelEvents<In> {
  message: [message: In];
  /** Once, when the other end is gone or the stream failed. */
  close: [reason: string];
}

export class LinkChannel<In, Out extends object> extends EventEmitter<LinkChannelEvents<In>> {
  private readonly reader = new FrameReader();
  /** This turn's frames, back to back. */
  private readonly outgoing = new FrameWriter();
  private flushScheduled = false;
  private closed = false;
  /** Messages and bytes sent and received, for the bench and /metrics. */
  readonly counters = { framesOut: 0, framesIn: 0, writes: 0, bytesOut: 0 };

  constructor(private readonly stream: Duplex) {
    super();
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (error: NodeJS.ErrnoException) => this.finish(`link error: ${error.code ?? error.message}`));
    stream.on('close', () => this.finish('link closed'));
    stream.on('end', () => this.finish('link closed by the other end'));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Queues `message`; everything queued in this turn leaves in one write, in order. */
  send(message: Out): void {
    if (this.closed) return;
    this.outgoing.append(message);
    this.counters.framesOut++;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what is queued now (before a deliberate exit, say). */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || !this.outgoing.length) return;
    const batch = this.outgoing.take();
    this.counters.writes++;
    this.counters.bytesOut += batch.length;
    this.stream.write(batch);
  }

  /** Flushes, then ends the stream; resolves once the bytes are handed to the kernel. */
  end(): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.stream.end(() => resolve());
    });
  }

  private onData(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.reader.push(chunk);
    } catch (error) {
      // A corrupt stream cannot be resynchronised: drop the link, the supervisor recovers. Only a
      // FrameError's message is shown: it never quotes the frame, which may hold a password.
      this.stream.destroy();
      this.finish(`link protocol error: ${error instanceof FrameError ? error.message : 'a frame that could not be read'}`);
      return;
    }
    for (const message of messages) {
      this.counters.framesIn++;
      this.emit('message', message as In);
    }
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.outgoing.take();
    this.emit('close', reason);
  }
}
