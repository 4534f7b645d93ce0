/** The data dir's sockets (the portal's control socket, the game's console socket) for a deep data dir. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { socketPathIn } from '../../server/data_dir.ts';

const deep = path.join(os.tmpdir(), 'a'.repeat(60), 'b'.repeat(60), `data-${process.pid}`);
const hashed = path.join(os.tmpdir(), `mud-${crypto.createHash('sha256').update(path.resolve(deep)).digest('hex').slice(0, 16)}`);

afterEach(() => fs.rmSync(hashed, { recursive: true, force: true }));

describe('socketPathIn', () => {
  it('keeps a short data dir\'s socket beside the data', () => {
    expect(socketPathIn('/srv/mud/data', 'portal.sock')).toBe('/srv/mud/data/portal.sock');
  });

  it('puts a deep data dir\'s socket in a 0700 directory of its own in the temp dir', () => {
    const file = socketPathIn(deep, 'portal.sock');
    expect(path.dirname(file)).toBe(hashed);
    expect(Buffer.byteLength(file)).toBeLessThan(100);
    expect(fs.statSync(hashed).mode & 0o777).toBe(0o700);
  });

  it('refuses that directory when anyone else could write into it', () => {
    fs.mkdirSync(hashed, { mode: 0o700 });
    fs.chmodSync(hashed, 0o777);
    expect(() => socketPathIn(deep, 'portal.sock')).toThrow(/mode 0700/);
  });
});
