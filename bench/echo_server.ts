/**
 * The ceiling for one Node process here: a minimal raw TCP line echo server on `net`, no telnet,
 * no game. Each received line comes straight back followed by CRLF. It prints the same start-up
 * lines as server/main.ts so the bench drives it the same way; SIGTERM/SIGINT stop it (exit 0).
 * Env: MUD_HOST, MUD_TELNET_PORT (0 = a free port).
 */
import net from 'node:net';

const host = process.env.MUD_HOST ?? '127.0.0.1';
const port = Number(process.env.MUD_TELNET_PORT ?? 0);
const MAX_PENDING = 64 * 1024;

const server = net.createServer({ noDelay: true }, (socket) => {
  let pending = '';
  socket.setEncoding('latin1');
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let out = '';
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n', start)) {
      const line = pending.slice(start, nl).replace(/\r$/, '');
      out += `${line}\r\n`;
      start = nl + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_PENDING) pending = '';
    if (out) socket.write(out, 'latin1');
  });
});
server.maxConnections = 5000;

server.listen(port, host, () => {
  const bound = (server.address() as net.AddressInfo).port;
  process.stdout.write(`Telnet listening on ${host}:${bound} (raw line echo)\n`);
  process.stdout.write('Echo server is running.\n');
});

const stop = () => {
  server.close(() => process.exit(0));
  // close() waits for every connection: end them all.
  for (const socket of sockets) socket.destroy();
};
const sockets = new Set<net.Socket>();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
