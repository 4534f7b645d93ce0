/**
 * The records an AppendFile (append_file.ts) holds, oldest first, with their byte count. Taking
 * from the front moves an index instead of shifting the array, so a long backlog (an outage, a
 * burst of lines) drains in linear time.
 */

/** One record: a whole line with its newline, and the key (day) of the file it belongs in. */
export interface AppendRecord {
  buf: Buffer;
  key: string | undefined;
}

export class RecordQueue {
  private items: AppendRecord[] = [];
  private head = 0;
  /** Bytes of the records held. */
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(rec: AppendRecord): void {
    this.items.push(rec);
    this.bytes += rec.buf.length;
  }

  /** The i-th record from the front. */
  at(i: number): AppendRecord {
    return this.items[this.head + i]!;
  }

  /** Replaces the i-th record (e.g. by what is left of it after a short write). */
  replace(i: number, rec: AppendRecord): void {
    this.bytes += rec.buf.length - this.at(i).buf.length;
    this.items[this.head + i] = rec;
  }

  /** The buffers of the first n records. */
  bufs(n: number): Buffer[] {
    const out: Buffer[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.items[this.head + i]!.buf;
    return out;
  }

  /** Removes the first n records. */
  shift(n: number): void {
    for (let i = 0; i < n; i++) this.bytes -= this.items[this.head + i]!.buf.length;
    this.head += n;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Removes the records from `from` on, oldest first, until at most `maxBytes` are held; returns how many. */
  dropOldestAfter(from: number, maxBytes: number): number {
    let n = from;
    while (this.bytes > maxBytes && n < this.length) this.bytes -= this.at(n++).buf.length;
    this.items.splice(this.head + from, n - from);
    return n - from;
  }

  /** Removes every record; returns how many there were. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return n;
  }
}
