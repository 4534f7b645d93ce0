/**
 * The data dir holds password hashes, the audit table (what players typed) and the server's
 * secret: private to the server's user, checked on every start, not only when it is created.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/**
 * Creates the dir 0700, or brings an existing one (made by an older server, or by hand with the
 * umask's 0755) to 0700, and every database file in it, with its -wal and -shm, to 0600. Run
 * before the databases open: SQLite gives a new -wal or -shm the database file's own mode, so
 * once the database is 0600 what it creates later is too.
 */
export function makeDataDirPrivate(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  chmodIfLooser(dataDir, DATA_DIR_MODE);
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (entry.isFile() && /\.sqlite3(-wal|-shm|-journal)?$/.test(entry.name)) chmodIfLooser(path.join(dataDir, entry.name), DATA_FILE_MODE);
  }
}

function chmodIfLooser(file: string, mode: number): void {
  if ((fs.statSync(file).mode & 0o777) !== mode) fs.chmodSync(file, mode);
}

const SECRET_FILE = 'server.secret';

/**
 * This server's own random key (32 bytes, `data/server.secret`, 0600), made on first start. It
 * keys the stand-ins for names tried that match no account, so they group without being readable.
 */
export function serverSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, SECRET_FILE);
  try {
    // 'wx': two servers starting at once on one dir cannot both write it.
    fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: DATA_FILE_MODE, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodIfLooser(file, DATA_FILE_MODE);
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 16) throw new Error(`${file} is not a server secret (64 hex digits); delete it to make a new one`);
  return key;
}

/**
 * A Unix socket beside the data (`name` in the data dir, reachable only by the server's user):
 * socket paths are limited to ~107 bytes, so a deep data dir gets a hashed directory in the temp
 * dir, 0700 and the server user's own: in the world-writable temp dir itself another local user
 * could take the name first, or reach the socket before its chmod.
 */
export function socketPathIn(dataDir: string, name: string): string {
  const beside = path.join(dataDir, name);
  if (Buffer.byteLength(beside) < 100) return beside;
  const hash = crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `mud-${hash}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = fs.lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new Error(`${dir} (for the data dir's sockets) is not a directory of this user's with mode 0700; remove it, or use a shorter MUD_DATA_DIR`);
  }
  return path.join(dir, name);
}
