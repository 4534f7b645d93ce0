/**
 * A WebSocket as the byte stream our telnet layer runs over (telnet.mudstandards.org): each
 * message's bytes are read as if they came from a TCP socket, and what the telnet layer writes in
 * one event-loop turn (it corks the stream per turn, server/telnet/output.ts) goes out as one
 * binary frame. A write is finished only once `ws` has handed its frame to the kernel, so
 * `writableLength` counts what a client that stops reading holds, and the telnet layer's output
 * cap (maxOutputBuffer) drops it exactly as it drops a TCP client.
 */
import { Duplex } from 'node:stream';
import WebSocket from 'ws';

/** A message's payload as one Buffer, whatever form `ws` delivered it in. */
export function messageBytes(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export class WebSocketByteStream extends Duplex {
  constructor(
    private readonly ws: WebSocket,
    /** The client's address (from the upgrade request), as a TCP socket would give it. */
    readonly remoteAddress: string,
  ) {
    super({ allowHalfOpen: false });
    ws.on('message', (data) => this.push(messageBytes(data)));
    // A frame `ws` refused (too big, unmasked, …) ends the stream with that error; the telnet
    // layer turns it into the close reason. The refusal's audit is the caller's (websocket.ts).
    ws.on('error', (error) => this.destroy(error));
    ws.on('close', () => {
      this.push(null);
      this.destroy();
    });
  }

  override _read(): void {
    // Messages are pushed as they arrive; the telnet layer reads synchronously and is bounded.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendFrame(chunk, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.sendFrame(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  /** The telnet layer ends the connection once its output is flushed: a normal close. */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Dropped without a flush (output overflow, a refused frame): no close handshake.
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    callback(error);
  }

  private sendFrame(bytes: Buffer, callback: (error?: Error | null) => void): void {
    // Closing already: what is left has nowhere to go, as on a half-closed socket.
    if (this.ws.readyState !== WebSocket.OPEN) return callback();
    this.ws.send(bytes, { binary: true }, (error) => callback(error ?? null));
  }
}
