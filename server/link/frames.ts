/**
 * The portal↔game link's wire format: each message is a 4-byte big-endian length, then that many
 * bytes of body. Length-prefixed rather than newline-delimited so a line of game text can hold
 * anything, and so the reader never scans payload bytes for a delimiter.
 *
 * A body is either UTF-8 JSON (it starts with `{`), for the rare control messages, or one of the
 * hot messages packed as a type byte, a 4-byte connection id and the UTF-8 text: game text and
 * prompts one way, players' lines the other. A CPU profile of the portal put a quarter of its
 * time in JSON.parse of those; a packed one is read with one UTF-8 decode.
 */

/** Far above any real message (a reload snapshot of 5,000 sessions is ~1 MB); a bigger one is a bug. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** A JSON body's first byte. The packed types below are never it, so each body says what it is. */
const JSON_BODY = 0x7b;
/** The messages packed as type byte, connection id, UTF-8 text; each with the field holding its text. */
const PACKED = { text: { type: 1, field: 'text' }, prompt: { type: 2, field: 'text' }, line: { type: 3, field: 'line' }, ready: { type: 4, field: 'text' } } as const;
type PackedName = keyof typeof PACKED;
const PACKED_BY_TYPE: Array<{ t: PackedName; field: 'text' | 'line' } | undefined> = [];
for (const [t, { type, field }] of Object.entries(PACKED) as Array<[PackedName, (typeof PACKED)[PackedName]]>) PACKED_BY_TYPE[type] = { t, field };
/** Type byte and connection id. */
const PACKED_HEAD = 5;
const MAX_ID = 0xffffffff;

/** A packed message as the reader hands it on: shaped as its JSON form would be. */
type PackedMessage = { t: 'text' | 'prompt' | 'ready'; id: number; text: string } | { t: 'line'; id: number; line: string };

/** The fields a message must have to be packed; anything else about it goes as JSON. */
function packable(message: unknown): { type: number; id: number; text: string } | null {
  const m = message as { t?: unknown; id?: unknown; text?: unknown; line?: unknown };
  const packed = typeof m.t === 'string' ? PACKED[m.t as PackedName] : undefined;
  if (!packed) return null;
  const text = m[packed.field];
  const { id } = m;
  // Only what UTF-8 carries exactly (a lone surrogate would come back as U+FFFD; JSON keeps it).
  // (protocol.ts gives these messages no other fields, so none is lost.)
  if (typeof text !== 'string' || typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_ID || !isWellFormed(text)) return null;
  return { type: packed.type, id, text };
}

/** String.prototype.isWellFormed (Node 20; ES2024, so not in this project's lib yet). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** The smallest buffer a writer starts; each turn's frames are written into it back to back. */
const WRITER_CHUNK = 64 * 1024;
/** The largest buffer a writer keeps between turns. */
const WRITER_KEEP_MAX = 1024 * 1024;

/**
 * Encodes messages into frames, back to back in one buffer, so a turn of many messages costs no
 * buffer per message and no concatenation. `take` hands out what was written since the last one;
 * the writer goes on after it in the same buffer (that part is never written again), so the
 * bytes handed out stay valid while a stream holds them.
 */
export class FrameWriter {
  private buf = Buffer.allocUnsafe(0);
  private start = 0;
  private used = 0;

  /** Bytes written since the last `take`. */
  get length(): number {
    return this.used - this.start;
  }

  append(message: object): void {
    const packed = packable(message);
    if (packed) {
      // UTF-8 needs at most 3 bytes per UTF-16 code unit.
      this.reserve(4 + PACKED_HEAD + packed.text.length * 3);
      const at = this.used;
      this.buf[at + 4] = packed.type;
      this.buf.writeUInt32BE(packed.id, at + 5);
      const bytes = this.buf.write(packed.text, at + 4 + PACKED_HEAD, 'utf8');
      this.buf.writeUInt32BE(PACKED_HEAD + bytes, at);
      this.used = at + 4 + PACKED_HEAD + bytes;
      return;
    }
    const json = JSON.stringify(message);
    this.reserve(4 + json.length * 3);
    const bytes = this.buf.write(json, this.used + 4, 'utf8');
    this.buf.writeUInt32BE(bytes, this.used);
    this.used += 4 + bytes;
  }

  /** The frames appended since the last call (empty if none). */
  take(): Buffer {
    const frames = this.buf.subarray(this.start, this.used);
    this.start = this.used;
    // A big one (a reload's snapshot grew it) is not kept for the small turns after it.
    if (this.buf.length > WRITER_KEEP_MAX) {
      this.buf = Buffer.allocUnsafe(0);
      this.start = this.used = 0;
    }
    return frames;
  }

  private reserve(bytes: number): void {
    if (this.buf.length - this.used >= bytes) return;
    // A fresh buffer, with this turn's frames moved to its start; the old one stays with whoever holds its frames.
    const pending = this.used - this.start;
    const next = Buffer.allocUnsafe(Math.max(WRITER_CHUNK, 2 * (pending + bytes)));
    this.buf.copy(next, 0, this.start, this.used);
    this.buf = next;
    this.start = 0;
    this.used = pending;
  }
}

/** One message as a frame (for a single message; a channel's turn uses one FrameWriter). */
export function encodeFrame(message: object): Buffer {
  const writer = new FrameWriter();
  writer.append(message);
  return writer.take();
}

/** Why the link refused a frame. Never quotes the frame: it may hold a password. */
export class FrameError extends Error {}

function checkedLength(length: number): number {
  if (length > MAX_FRAME_BYTES) throw new FrameError(`link frame of ${length} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
  return length;
}

function decodeBody(buf: Buffer, from: number, to: number): unknown {
  if (to === from) throw new FrameError('an empty frame');
  const type = buf[from]!;
  if (type === JSON_BODY) {
    try {
      return JSON.parse(buf.toString('utf8', from, to));
    } catch {
      // Not JSON.parse's message: it quotes the frame.
      throw new FrameError('a frame that is not JSON');
    }
  }
  const packed = PACKED_BY_TYPE[type];
  if (!packed) throw new FrameError(`a frame of unknown type ${type}`);
  if (to - from < PACKED_HEAD) throw new FrameError(`a frame too short for its type ${type}`);
  const id = buf.readUInt32BE(from + 1);
  const text = buf.toString('utf8', from + PACKED_HEAD, to);
  return (packed.field === 'line' ? { t: packed.t, id, line: text } : { t: packed.t, id, text }) as PackedMessage;
}

/**
 * Turns a byte stream back into messages, however the kernel split or joined the writes. Whole
 * frames are decoded where they lie in the chunk; only a frame split across chunks is copied,
 * once, into a buffer of its own size.
 */
export class FrameReader {
  /** The start of a length split across chunks. */
  private readonly head = Buffer.alloc(4);
  private headFill = 0;
  /** The body of a frame split across chunks, and how much of it has come. */
  private body: Buffer | null = null;
  private bodyFill = 0;

  /** The messages completed by `chunk`, in order. Throws a FrameError on a frame it refuses. */
  push(chunk: Buffer): unknown[] {
    const messages: unknown[] = [];
    let at = 0;
    if (this.headFill > 0) {
      const n = Math.min(4 - this.headFill, chunk.length);
      chunk.copy(this.head, this.headFill, 0, n);
      this.headFill += n;
      at = n;
      if (this.headFill < 4) return messages;
      this.headFill = 0;
      this.body = Buffer.allocUnsafe(checkedLength(this.head.readUInt32BE(0)));
      this.bodyFill = 0;
    }
    if (this.body) {
      const n = Math.min(this.body.length - this.bodyFill, chunk.length - at);
      chunk.copy(this.body, this.bodyFill, at, at + n);
      this.bodyFill += n;
      at += n;
      if (this.bodyFill < this.body.length) return messages;
      const body = this.body;
      this.body = null;
      messages.push(decodeBody(body, 0, body.length));
    }
    while (chunk.length - at >= 4) {
      const length = checkedLength(chunk.readUInt32BE(at));
      if (chunk.length - at - 4 < length) break;
      messages.push(decodeBody(chunk, at + 4, at + 4 + length));
      at += 4 + length;
    }
    const rest = chunk.length - at;
    if (rest >= 4) {
      // Copied, so a frame's start does not pin the whole chunk in memory.
      this.body = Buffer.allocUnsafe(checkedLength(chunk.readUInt32BE(at)));
      this.bodyFill = chunk.copy(this.body, 0, at + 4);
    } else if (rest > 0) {
      this.headFill = chunk.copy(this.head, 0, at);
    }
    return messages;
  }
}
