import type net from 'node:net';

/**
 * Writes `answer` (one line, or a whole HTTP response) to a connection over a limit, and closes
 * it as soon as that is written: a refused socket must not keep its place in the server's
 * connection table, or a flood of them fills it anyway. What the client sent is read and thrown
 * away, so the close is a FIN after the answer, not a reset that could lose it.
 */
export function refuseSocket(socket: net.Socket, answer: string): void {
  socket.on('error', () => {});
  socket.resume();
  socket.end(answer, () => socket.destroy());
}

/**
 * A whole plain-text HTTP response that ends the connection, for a socket refused before any
 * HTTP server answers it (over a limit, an upgrade nobody may make): `status` as `429 Too Many
 * Requests`, `headers` any more (Retry-After).
 */
export function httpRefusal(status: string, text: string, headers: Record<string, string> = {}): string {
  const body = `${text}\n`;
  const more = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${status}\r\n${more}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
