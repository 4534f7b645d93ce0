/**
 * The live file of an AppendFile (append_file.ts): its fd, opened O_APPEND under the plain name,
 * and what we know of it (inode, size, whether it is a regular file). All async, no sync I/O.
 */
import fs from 'node:fs';
import path from 'node:path';

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

const p = {
  open: (file: string, mode: number) =>
    // a+: appends, and can read the last byte (does the file end with a whole line?)
    new Promise<number>((res, rej) => fs.open(file, 'a+', mode, (e, fd) => (e ? rej(e) : res(fd)))),
  close: (fd: number) => new Promise<void>((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res()))),
  fstat: (fd: number) => new Promise<fs.Stats>((res, rej) => fs.fstat(fd, (e, st) => (e ? rej(e) : res(st)))),
  fchmod: (fd: number, mode: number) => new Promise<void>((res, rej) => fs.fchmod(fd, mode, (e) => (e ? rej(e) : res()))),
  // e.g. EINVAL on special files: not fatal
  datasync: (fd: number) => new Promise<void>((res) => fs.fdatasync(fd, () => res())),
  read: (fd: number, buf: Buffer, pos: number) =>
    new Promise<number>((res, rej) => fs.read(fd, buf, 0, buf.length, pos, (e, n) => (e ? rej(e) : res(n)))),
  writev: (fd: number, bufs: Buffer[]) => new Promise<number>((res, rej) => fs.writev(fd, bufs, (e, n) => (e ? rej(e) : res(n)))),
};

const NEWLINE = Buffer.from('\n');

export interface LiveFileOptions {
  /** Enforced with fchmod on every open (regular files only). */
  fileMode: number;
  /** Mode of directories we create (existing ones are left alone). */
  dirMode: number;
  /** On open, end a last line cut short (a crash, a failed write) with a newline. */
  endTornLine: boolean;
  /** A problem that does not stop the file (e.g. fchmod refused). */
  onWarning(cause: unknown): void;
}

export class LiveFile {
  private fd: number | null = null;
  private ino = 0;
  private dev = 0;
  /** Bytes in the file (what we found on open plus what we wrote). */
  size = 0;
  /** False for e.g. a symlink to /dev/null: such a target is never rotated. */
  regular = true;

  constructor(
    readonly file: string,
    private readonly opts: LiveFileOptions,
  ) {}

  get isOpen(): boolean {
    return this.fd !== null;
  }

  /** Opens (creating it and its directory if needed). Throws on failure; returns the file's stat. */
  async open(): Promise<fs.Stats> {
    const { fileMode } = this.opts;
    let fd: number;
    try {
      fd = await p.open(this.file, fileMode);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      await this.ensureDir();
      fd = await p.open(this.file, fileMode);
    }
    try {
      const st = await p.fstat(fd);
      // Only regular files: never chmod e.g. /dev/null that a log was symlinked to.
      if (st.isFile() && (st.mode & 0o7777) !== fileMode) {
        // Not fatal (e.g. EPERM on a file owned by someone else): report, keep writing.
        await p.fchmod(fd, fileMode).catch((e: unknown) => this.opts.onWarning(e));
      }
      let size = st.size;
      if (this.opts.endTornLine && size > 0 && st.isFile()) {
        const last = Buffer.alloc(1);
        await p.read(fd, last, size - 1);
        if (last[0] !== 0x0a) size += await p.writev(fd, [NEWLINE]);
      }
      this.fd = fd;
      this.ino = st.ino;
      this.dev = st.dev;
      this.size = size;
      this.regular = st.isFile();
      return st;
    } catch (e) {
      fs.close(fd, () => {});
      throw e;
    }
  }

  /** Is the plain name still our file? 'removed' / 'replaced' when someone deleted or moved it. */
  async check(): Promise<'ours' | 'removed' | 'replaced'> {
    try {
      const st = await fs.promises.stat(this.file);
      return st.ino === this.ino && st.dev === this.dev ? 'ours' : 'replaced';
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      return 'removed';
    }
  }

  /** One writev; returns the bytes written (perhaps fewer than given). */
  async writev(bufs: Buffer[]): Promise<number> {
    const n = await p.writev(this.fd!, bufs);
    this.size += n;
    return n;
  }

  /** Closes, throwing if the close fails (the rename after it must not run then). */
  async close(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    await p.close(fd);
  }

  /** Syncs the data written so far to disk (the file stays open). */
  async sync(): Promise<void> {
    if (this.fd !== null) await p.datasync(this.fd);
  }

  /** Syncs the data to disk, then closes. */
  async syncAndClose(): Promise<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    await p.datasync(fd);
    await p.close(fd);
  }

  closeQuietly(done: () => void = () => {}): void {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) fs.close(fd, () => done());
    else done();
  }

  private async ensureDir(): Promise<void> {
    const { dirMode } = this.opts;
    const dir = path.dirname(this.file);
    const created = await fs.promises.mkdir(dir, { recursive: true, mode: dirMode });
    if (created) {
      // mkdir's mode is filtered by the umask; set it exactly on what we created.
      let d = dir;
      for (;;) {
        await fs.promises.chmod(d, dirMode);
        if (d === created || path.dirname(d) === d) break;
        d = path.dirname(d);
      }
    }
  }
}

export async function ignoreEnoent(pr: Promise<unknown>): Promise<void> {
  try {
    await pr;
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
}
