/**
 * The running server's control socket, for `npm run reload | stop | status` from a shell: a Unix
 * socket beside the data (only this machine's users with access to the data dir reach it), one
 * JSON request line, one JSON answer line.
 */
import fs from 'node:fs';
import net from 'node:net';
import { socketPathIn } from '../data_dir.ts';

export type ControlRequest = { cmd: 'status' } | { cmd: 'reload' } | { cmd: 'stop' };
export type ControlHandler = (request: ControlRequest) => Promise<Record<string, unknown>>;

/** `data/portal.sock` (or a hashed name in the temp dir for a very deep data dir). */
export function controlSocketPath(dataDir: string): string {
  return socketPathIn(dataDir, 'portal.sock');
}

/** Listens on the control socket. Called only while holding the data-dir lock, so a file left there is stale. */
export function serveControl(dataDir: string, handle: ControlHandler): Promise<net.Server> {
  const file = controlSocketPath(dataDir);
  fs.rmSync(file, { force: true });
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end < 0) {
        if (buffered.length > 4096) socket.destroy();
        return;
      }
      let request: ControlRequest;
      try {
        request = JSON.parse(buffered.slice(0, end)) as ControlRequest;
      } catch {
        socket.end(`${JSON.stringify({ ok: false, error: 'not JSON' })}\n`);
        return;
      }
      handle(request)
        .catch((error: Error) => ({ ok: false, error: error.message }))
        .then((answer) => socket.end(`${JSON.stringify(answer)}\n`));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      server.off('error', reject);
      fs.chmodSync(file, 0o600);
      resolve(server);
    });
  });
}

/** Asks the server on `dataDir`; rejects (ENOENT, ECONNREFUSED) when none is running. */
export function askServer(dataDir: string, request: ControlRequest, timeoutMs = 120_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(controlSocketPath(dataDir));
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from the server after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(answer) as Record<string, unknown>);
      } catch {
        reject(new Error(`unreadable answer from the server: ${answer.slice(0, 200)}`));
      }
    });
  });
}
