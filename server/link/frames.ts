/**
 * The portal↔game link's wire format: each message is a 4-byte big-endian length, then that many
 * bytes of UTF-8 JSON. Length-prefixed rather than newline-delimited so a line of game text can
 * hold anything, and so the reader never scans payload bytes for a delimiter.
 */

/** Far above any real message (a reload snapshot of 5,000 sessions is ~1 MB); a bigger one is a bug. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** One message as a frame, ready to be concatenated with the others of its turn. */
export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Turns a byte stream back into messages, however the kernel split or joined the writes. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** The messages completed by `chunk`, in order. Throws on a frame over MAX_FRAME_BYTES. */
  push(chunk: Buffer): unknown[] {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const messages: unknown[] = [];
    while (buf.length >= 4) {
      const length = buf.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new RangeError(`link frame of ${length} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
      if (buf.length < 4 + length) break;
      messages.push(JSON.parse(buf.toString('utf8', 4, 4 + length)));
      buf = buf.subarray(4 + length);
    }
    // Copied, so a small remainder does not pin a large chunk in memory.
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
    return messages;
  }
}
